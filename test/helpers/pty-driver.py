#!/usr/bin/env python3
# Runs a command in a real pseudo-terminal, as a terminal emulator would: the command is the session leader and the
# terminal's foreground process group, so typing ^C (byte 0x03 on our stdin) makes the kernel send SIGINT to that
# group. Bytes on our stdin go to the terminal; what the terminal shows comes out on our stdout. When the command
# exits, one last line on stderr says how: "pty-exit code=N" or "pty-exit signal=N".
import os, pty, select, sys

pid, master = pty.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)

stdin_open = True
done, status = 0, 0
while True:
    fds = [master] + ([0] if stdin_open else [])
    ready, _, _ = select.select(fds, [], [], 0.1)
    if 0 in ready:
        data = os.read(0, 1024)
        if data:
            os.write(master, data)
        else:
            stdin_open = False
    if master in ready:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: every process holding the terminal has closed it
            data = b''
        if not data:
            break
        os.write(1, data)
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        # Drain what is left on the terminal, then report.
        while True:
            r, _, _ = select.select([master], [], [], 0.05)
            if not r:
                break
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            os.write(1, data)
        break

if not done:
    _, status = os.waitpid(pid, 0)
if os.WIFSIGNALED(status):
    sys.stderr.write('pty-exit signal=%d\n' % os.WTERMSIG(status))
else:
    sys.stderr.write('pty-exit code=%d\n' % os.WEXITSTATUS(status))
