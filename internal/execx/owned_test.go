package execx

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/ledger"
)

// TestHelperRunsATool is not a test: TestToolDiesWithThePlugin runs the test binary with
// EXECX_HELPER=1 as a stand-in for the plugin. It starts `sleep` with Own and StartOwned, then
// ends a few hundred OS threads (a goroutine locked to its thread that returns without
// unlocking ends the thread), as a library doing per-thread work may, prints the tool's PID
// and waits to be killed.
func TestHelperRunsATool(t *testing.T) {
	if os.Getenv("EXECX_HELPER") != "1" {
		t.Skip("helper process for TestToolDiesWithThePlugin")
	}
	ledger.Dir = os.Getenv("EXECX_LEDGER_DIR")
	cmd := exec.CommandContext(context.Background(), "sleep", "300")
	Own(cmd)
	if _, err := StartOwned(cmd, nil); err != nil {
		t.Fatal(err)
	}
	for range 300 {
		done := make(chan struct{})
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			close(done)
		}()
		<-done
		runtime.Gosched()
	}
	fmt.Println(cmd.Process.Pid)
	time.Sleep(time.Minute)
}

// A tool started with Own and StartOwned dies when the process that started it is killed with SIGKILL,
// and not before: the thread that forked it may exit meanwhile.
func TestToolDiesWithThePlugin(t *testing.T) {
	helper := exec.Command(os.Args[0], "-test.run=^TestHelperRunsATool$", "-test.v")
	helper.Env = append(os.Environ(), "EXECX_HELPER=1", "EXECX_LEDGER_DIR="+t.TempDir())
	out, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	defer helper.Process.Kill() //nolint:errcheck
	var tool int
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if pid, err := strconv.Atoi(strings.TrimSpace(sc.Text())); err == nil {
			tool = pid
			break
		}
	}
	if tool == 0 {
		t.Fatal("the helper printed no tool PID")
	}
	defer syscall.Kill(tool, syscall.SIGKILL) //nolint:errcheck
	time.Sleep(300 * time.Millisecond)        // the starting thread has exited by now
	if syscall.Kill(tool, 0) != nil {
		t.Fatal("the tool died before the plugin did: the parent-death signal fired when its thread exited")
	}
	if err := helper.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(tool, 0) == nil {
		if zombieOrGone(tool) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("tool %d still runs after the plugin was killed", tool)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func zombieOrGone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	i := strings.LastIndexByte(string(b), ')')
	return i > 0 && strings.HasPrefix(strings.TrimSpace(string(b[i+1:])), "Z")
}

// A descriptor inherited without close-on-exec is not passed on to tools once
// CloseInheritedOnExec has run.
func TestCloseInheritedOnExec(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	fd := int(w.Fd())
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0); err != nil {
		t.Fatal(err)
	}
	inherited := func() bool {
		return exec.Command("test", "-e", fmt.Sprintf("/proc/self/fd/%d", fd)).Run() == nil
	}
	if !inherited() {
		t.Fatal("the test's descriptor is not inherited to begin with")
	}
	if err := CloseInheritedOnExec(); err != nil {
		t.Fatal(err)
	}
	if inherited() {
		t.Error("a tool still inherits the descriptor")
	}
	if _, err := w.Write([]byte("x")); err != nil {
		t.Errorf("the descriptor was closed in this process: %v", err)
	}
}
