package benchdb

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Process is a server a benchmark started on a port of its own.
type Process struct {
	Cmd  *exec.Cmd
	URL  string
	Port int
	// exited is closed once the process is gone (Cmd.Wait returned).
	exited chan struct{}
}

// BuildServer builds the SameSide server into dir and returns its path.
func BuildServer(dir string) (string, error) {
	bin := filepath.Join(dir, "sameside")
	if out, err := exec.Command("go", "build", "-o", bin, "./server").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// StartServer starts a SameSide server (bin) on dbURL with extra settings
// and waits until /readyz answers 200.
func StartServer(ctx context.Context, bin, dbURL string, env ...string) (*Process, error) {
	env = append([]string{"DATABASE_URL=" + dbURL, "SAMESIDE_SEED=false", "LOG_LEVEL=warn"}, env...)
	return Start(ctx, bin, nil, env, "/readyz", func(res *http.Response) bool { return res.StatusCode == http.StatusOK })
}

// Start runs name with args on a free port (PORT in its environment, and
// "{port}" in args replaced by it) and waits up to 60 s until GET path is
// ready (ready decides from the response). The port is free when picked,
// but another process may take it before name listens on it: a process
// that exits before it is ready is started again on another port (three
// tries).
func Start(ctx context.Context, name string, args, env []string, path string, ready func(*http.Response) bool) (*Process, error) {
	const attempts = 3
	for attempt := 1; ; attempt++ {
		p, err := start(ctx, name, args, env, path, ready)
		if !errors.Is(err, errExited) || attempt == attempts {
			return p, err
		}
		fmt.Fprintf(os.Stderr, "%v: starting it again on another port\n", err)
	}
}

var errExited = errors.New("exited before it was ready")

// pickPort is a port free when asked.
var pickPort = func() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// readyClient asks a starting process whether it is ready; what holds the
// port without answering must not hold the benchmark.
var readyClient = &http.Client{Timeout: 2 * time.Second}

func start(ctx context.Context, name string, args, env []string, path string, ready func(*http.Response) bool) (*Process, error) {
	port, err := pickPort()
	if err != nil {
		return nil, err
	}
	args = append([]string(nil), args...)
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "{port}", strconv.Itoa(port))
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(append(os.Environ(), "PORT="+strconv.Itoa(port)), env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{Cmd: cmd, URL: fmt.Sprintf("http://127.0.0.1:%d", port), Port: port, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := readyClient.Get(p.URL + path)
		if err == nil {
			res.Body.Close()
			if ready(res) {
				return p, nil
			}
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("%s on port %d %w (%s)", filepath.Base(name), port, errExited, cmd.ProcessState)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			p.Stop()
			return nil, fmt.Errorf("%s on port %d not ready", filepath.Base(name), port)
		}
	}
}

// Kill kills the process (SIGKILL) and waits until it is gone.
func (p *Process) Kill() {
	_ = p.Cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// Stop asks the process to end (SIGTERM) and kills it after 15 s.
func (p *Process) Stop() {
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		_ = p.Cmd.Process.Kill()
		<-p.exited
	}
}

// CPU is the CPU time (user and system) the process has used so far, from
// /proc; zero where /proc is not there.
func (p *Process) CPU() time.Duration {
	_, cpu := procCPU(fmt.Sprintf("/proc/%d/stat", p.Cmd.Process.Pid))
	return cpu
}

// userHZ is the clock tick of /proc's CPU times on Linux.
const userHZ = 100

// procCPU reads a /proc/<pid>/stat file: the command's name and the CPU
// time (user and system) the process has used; "" and 0 when unreadable.
func procCPU(path string) (name string, cpu time.Duration) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", 0
	}
	// The command's name is in parentheses; the fields follow it.
	s := string(raw)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return "", 0
	}
	f := strings.Fields(s[closing+1:])
	if len(f) < 13 {
		return "", 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return s[open+1 : closing], time.Duration(utime+stime) * time.Second / userHZ
}

// CPUOf is the CPU time every running process named name (its command,
// as /proc/<pid>/stat gives it: "postgres" for PostgreSQL's server and
// backends) has used so far; 0 where there is no /proc. Processes that
// ended meanwhile are not counted: take it around work whose processes
// outlive it.
func CPUOf(name string) time.Duration {
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	var total time.Duration
	for _, path := range paths {
		if n, cpu := procCPU(path); n == name {
			total += cpu
		}
	}
	return total
}

// MachineCPU is the machine's CPU time so far, all cores: busy (every
// state but idle and waiting for the disk) and in all; zeros where there
// is no /proc/stat.
func MachineCPU() (busy, all time.Duration) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0, 0
	}
	var total, idle int64
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i >= 8 { // guest time is already counted in user
			break
		}
		total += n
		if i == 3 || i == 4 { // idle, iowait
			idle += n
		}
	}
	tick := func(n int64) time.Duration { return time.Duration(n) * time.Second / userHZ }
	return tick(total - idle), tick(total)
}

// PeakRSS is the most resident memory the process has held so far
// (VmHWM in /proc), in bytes; zero where /proc is not there.
func (p *Process) PeakRSS() int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.Cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
