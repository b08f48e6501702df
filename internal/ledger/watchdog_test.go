package ledger

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary serves as the plugin binary: as a watchdog when run with WatchdogArg, and as
// a plugin that starts a tool when run with LEDGER_HELPER=1.
func TestMain(m *testing.M) {
	if len(os.Args) == 3 && os.Args[1] == WatchdogArg {
		os.Exit(RunWatchdog(os.Args[2]))
	}
	if os.Getenv("LEDGER_HELPER") == "1" {
		os.Exit(helperPlugin())
	}
	os.Exit(m.Run())
}

// helperPlugin records a tool's process group, as execx does, whose shell leaves a child that
// has no parent-death signal, prints the child's PID and waits to be killed.
func helperPlugin() int {
	Dir = os.Getenv("LEDGER_DIR")
	Watchdog = os.Args[0]
	tool := exec.Command("sh", "-c", "sleep 300 & echo $!; wait")
	tool.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	out, err := tool.StdoutPipe()
	if err == nil {
		err = tool.Start()
	}
	if err != nil {
		return 1
	}
	l, err := Process()
	if err == nil {
		err = l.AddGroup(tool.Process.Pid)
	}
	if err != nil {
		return 1
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	os.Stdout.WriteString(line)
	time.Sleep(time.Minute)
	return 0
}

// When the plugin is killed with SIGKILL, the watchdog kills the processes of its record that
// the parent-death signal does not reach.
func TestWatchdogKillsToolsOfADeadPlugin(t *testing.T) {
	plugin := exec.Command(os.Args[0])
	plugin.Env = append(os.Environ(), "LEDGER_HELPER=1", "LEDGER_DIR="+t.TempDir())
	out, err := plugin.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := plugin.Start(); err != nil {
		t.Fatal(err)
	}
	defer plugin.Process.Kill() //nolint:errcheck
	line, _ := bufio.NewReader(out).ReadString('\n')
	child, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("the helper printed %q, not a PID", line)
	}
	defer syscall.Kill(child, syscall.SIGKILL) //nolint:errcheck
	if err := plugin.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = plugin.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for !zombie(child) {
		if time.Now().After(deadline) {
			t.Fatalf("the tool's child %d still runs after the plugin was killed", child)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
