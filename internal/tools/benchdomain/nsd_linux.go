package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel stop cmd when benchdomain ends, however it
// ends: a signal (a `| head` that closes the pipe) skips the deferred
// Close, and NSD would keep running with its port.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
