package imagecustomizer

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

// call is one command the fake communicator received.
type call struct{ cmd, stdin string }

// fakeComm records commands. It answers `id -u` with uid (default 0, root), readFile's
// scripts from files (a missing entry exits 66, like the real script) and everything else
// with exit 0, or with fail's status for commands containing a key of fail. A staged script
// (see image.staged) is answered as its body would be. File transfers are refused: the
// provisioner must do all I/O with commands run inside the image.
type fakeComm struct {
	mu     sync.Mutex
	calls  []call
	files  map[string]string
	fail   map[string]int
	uid    string
	staged map[string]string // staged script path -> body without its self-removal line
}

const stagePrefix = "mkdir -p /tmp && umask 077 && cat > "

func (f *fakeComm) Start(_ context.Context, rc *packersdk.RemoteCmd) error {
	in := ""
	if rc.Stdin != nil {
		b, _ := io.ReadAll(rc.Stdin)
		in = string(b)
	}
	f.mu.Lock()
	f.calls = append(f.calls, call{rc.Command, in})
	script := f.effective(rc.Command, in)
	f.mu.Unlock()
	code := 0
	if script == "id -u" {
		uid := f.uid
		if uid == "" {
			uid = "0"
		}
		_, _ = io.WriteString(rc.Stdout, uid+"\n")
	}
	p, ok := strings.CutPrefix(script, "if [ -e ")
	if !ok {
		p, ok = strings.CutPrefix(script, "if [ -L ") // a regular-file read: files are regular
	}
	if ok {
		p = strings.Trim(p[:strings.Index(p, " ]")], "'")
		if body, ok := f.files[p]; ok {
			_, _ = io.WriteString(rc.Stdout, body)
		} else {
			code = missing
		}
	}
	for k, c := range f.fail {
		if strings.Contains(rc.Command, k) || strings.Contains(script, k) {
			_, _ = io.WriteString(rc.Stderr, "line 1\nboom: "+k+"\n")
			code = c
		}
	}
	rc.SetExited(code)
	return nil
}

// effective records a staged script and returns what a command runs: the staged body when
// the command ends with a staged file's path, else the command itself.
func (f *fakeComm) effective(cmd, stdin string) string {
	if f.staged == nil {
		f.staged = map[string]string{}
	}
	if p, ok := strings.CutPrefix(cmd, stagePrefix); ok {
		_, body, _ := strings.Cut(stdin, "\n")
		f.staged[p] = strings.TrimSuffix(body, "\n")
		return cmd
	}
	fields := strings.Fields(cmd)
	if len(fields) > 0 {
		if body, ok := f.staged[fields[len(fields)-1]]; ok {
			return body
		}
	}
	return cmd
}

var errTransfer = errors.New("file transfers must not be used")

func (f *fakeComm) Upload(string, io.Reader, *os.FileInfo) error { return errTransfer }
func (f *fakeComm) UploadDir(string, string, []string) error     { return errTransfer }
func (f *fakeComm) Download(string, io.Writer) error             { return errTransfer }
func (f *fakeComm) DownloadDir(string, string, []string) error   { return errTransfer }
func (f *fakeComm) commands() []string {
	var out []string
	for _, c := range f.calls {
		out = append(out, c.cmd)
	}
	return out
}

// testImage returns an image over comm with numbered temporary names.
func testImage(comm packersdk.Communicator) *image {
	n := 0
	return &image{comm: comm, ui: packersdk.TestUi(nil), execute: &executeCommand{template: defaultExecuteCommand},
		newID: func() string { n++; return strconv.Itoa(n) }}
}

func TestWriteFileQuotesPathsAndSendsContentOnStdin(t *testing.T) {
	comm := &fakeComm{}
	m := testImage(comm)
	if err := m.writeFile(context.Background(), "/etc/my app.conf", 0o640, strings.NewReader("data")); err != nil {
		t.Fatal(err)
	}
	want := `if [ -d '/etc/my app.conf' ]; then echo '/etc/my app.conf: is a directory' >&2; exit 1; fi; ` +
		`mkdir -p /etc && { cat > /etc/.packer-ic-1.tmp && chmod 640 /etc/.packer-ic-1.tmp && ` +
		`mv -f /etc/.packer-ic-1.tmp '/etc/my app.conf' || { rm -f /etc/.packer-ic-1.tmp; exit 1; }; }`
	if len(comm.calls) != 1 || comm.calls[0].cmd != want || comm.calls[0].stdin != "data" {
		t.Errorf("calls = %q\nwant  %q with stdin \"data\"", comm.calls, want)
	}
}

func TestUnsafeScriptsAreStagedAsData(t *testing.T) {
	for _, dest := range []string{"/etc/$HOME", "/etc/a\"b", "/etc/`id`", "/etc/a\\b", "/etc/new\nline", "/etc/é", "/etc/it's"} {
		comm := &fakeComm{}
		m := testImage(comm)
		if err := m.writeFile(context.Background(), dest, 0o644, strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
		if len(comm.calls) != 2 {
			t.Fatalf("%q: %d calls, want stage + run: %q", dest, len(comm.calls), comm.calls)
		}
		stage, run := comm.calls[0], comm.calls[1]
		if stage.cmd != stagePrefix+"/tmp/.packer-ic-2.sh" || !strings.Contains(stage.stdin, q(dest)) {
			t.Errorf("%q: stage = %q", dest, stage)
		}
		if !strings.HasPrefix(stage.stdin, "rm -f \"$0\"\n") {
			t.Errorf("%q: staged script does not remove itself first: %q", dest, stage.stdin)
		}
		if run.cmd != "/bin/sh /tmp/.packer-ic-2.sh" || run.stdin != "x" {
			t.Errorf("%q: run = %q", dest, run)
		}
		for _, c := range comm.calls {
			if !transportSafe(c.cmd) {
				t.Errorf("%q: unsafe command line sent: %q", dest, c.cmd)
			}
		}
	}
}

func TestReadFile(t *testing.T) {
	comm := &fakeComm{files: map[string]string{"/etc/hostname": "debian\n"}}
	m := testImage(comm)
	got, ok, err := m.readFile(context.Background(), "/etc/hostname")
	if err != nil || !ok || got != "debian\n" {
		t.Errorf("readFile = %q, %v, %v", got, ok, err)
	}
	if _, ok, err := m.readFile(context.Background(), "/etc/nope"); ok || err != nil {
		t.Errorf("readFile(missing) = %v, %v; want not ok and no error", ok, err)
	}
	comm.fail = map[string]int{"cat": 1}
	if _, _, err := m.readFile(context.Background(), "/etc/hostname"); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("readFile(failing) error = %v, want the stderr tail", err)
	}
}

func TestRunReportsStatusAndTail(t *testing.T) {
	comm := &fakeComm{fail: map[string]int{"systemctl": 5}}
	err := testImage(comm).run(context.Background(), "enable service x", "systemctl enable x", nil)
	if err == nil || !strings.Contains(err.Error(), "enable service x: systemctl enable x exited with status 5 in the image:\nline 1\nboom: systemctl") {
		t.Errorf("error = %v", err)
	}
}

// hangComm starts commands that never exit.
type hangComm struct{ fakeComm }

func (h *hangComm) Start(context.Context, *packersdk.RemoteCmd) error { return nil }

func TestCancelledContextDoesNotHang(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := testImage(&hangComm{}).run(ctx, "enable service x", "systemctl enable x", nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}
