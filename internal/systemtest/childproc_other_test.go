//go:build !linux

package systemtest

import "os/exec"

// dieWithParent does nothing where the kernel offers no parent-death
// signal: a child of a test that dies is left to end by itself.
func dieWithParent(*exec.Cmd) {}
