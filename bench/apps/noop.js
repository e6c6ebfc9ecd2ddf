// Start-up benchmark: the `node -e 0` equivalent (a script, so every variant runs the same way).
