package database

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	embeddedpostgres "github.com/fergusstrange/embedded-postgres"
)

// EmbeddedOptions configures the embedded PostgreSQL.
type EmbeddedOptions struct {
	// Dir holds the data directory and the runtime files. Empty: a per-user
	// default that survives restarts (see DefaultEmbeddedDir).
	Dir string
	// Port to listen on, on 127.0.0.1.
	Port uint32
	// Ephemeral deletes Dir when the server stops (tests).
	Ephemeral bool
}

// The embedded server's superuser. It listens on loopback only.
const (
	embeddedUser     = "postgres"
	embeddedPassword = "postgres"
)

// DefaultEmbeddedDir is where the embedded server keeps its data. As root the
// data must live where the unprivileged user that runs PostgreSQL can reach it,
// so not under /root.
func DefaultEmbeddedDir() string {
	if os.Geteuid() == 0 {
		return "/var/tmp/sameside-postgres"
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "sameside", "postgres")
	}
	return filepath.Join(os.TempDir(), "sameside-postgres-"+strconv.Itoa(os.Getuid()))
}

func startEmbedded(ctx context.Context, o Options) (*Server, error) {
	e := o.Embedded
	if e.Port == 0 {
		e.Port = 54329
	}
	if e.Dir == "" {
		e.Dir = DefaultEmbeddedDir()
	}
	addr := "127.0.0.1:" + portString(e.Port)
	admin := pgURL(embeddedUser, embeddedPassword, addr, "postgres")
	srv := &Server{URL: pgURL(embeddedUser, embeddedPassword, addr, o.DatabaseName), AdminURL: admin, Source: SourceEmbedded}

	runtimeDir := filepath.Join(e.Dir, "runtime")
	dataDir := filepath.Join(e.Dir, "data")
	owner := filepath.Join(e.Dir, "owner.pid")

	// Another SameSide process (a running server, say, while `demo-token`
	// asks for a token) may already have started it: it stays that
	// process's to stop. One whose owner is gone (killed with SIGKILL, so
	// it never stopped it) is adopted: this process stops it on exit, so
	// nothing is left running behind.
	if answers(addr) {
		if err := ensureDatabase(ctx, admin, o.DatabaseName); err != nil {
			return nil, fmt.Errorf("embedded PostgreSQL at %s: %w", addr, err)
		}
		if pid, ok := readOwner(owner); ok && pid != os.Getpid() && alive(pid) {
			o.Log.Info("using embedded PostgreSQL started by another process", "addr", addr, "pid", pid)
			return srv, nil
		}
		if err := writeOwner(owner); err != nil {
			return nil, fmt.Errorf("embedded PostgreSQL: %w", err)
		}
		o.Log.Info("adopting embedded PostgreSQL whose owner is gone; it stops when this process does", "addr", addr)
		srv.stop = func() error {
			err := stopAdopted(e.Dir, dataDir)
			_ = os.Remove(owner)
			if e.Ephemeral {
				err = errors.Join(err, os.RemoveAll(e.Dir))
			}
			return err
		}
		return srv, nil
	}

	if err := os.MkdirAll(e.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("embedded PostgreSQL: %w", err)
	}

	cfg := embeddedpostgres.DefaultConfig().
		Port(e.Port).
		Username(embeddedUser).
		Password(embeddedPassword).
		Database(o.DatabaseName).
		RuntimePath(runtimeDir).
		DataPath(dataDir).
		CachePath(filepath.Join(e.Dir, "cache")).
		Logger(logWriter{o.Log}).
		StartParameters(map[string]string{
			// Keep sockets out of the system directory, which may not exist or
			// belong to the machine's own PostgreSQL.
			"unix_socket_directories": runtimeDir,
			"listen_addresses":        "127.0.0.1",
			"fsync":                   "off", // a development server: speed over durability
		})

	if local, version, ok := localInstall(); ok {
		cfg = cfg.Version(embeddedpostgres.PostgresVersion(version + ".0.0"))
		bin := local
		if os.Geteuid() == 0 {
			var err error
			if bin, err = dropRootShim(e.Dir, local, runtimeDir, dataDir); err != nil {
				return nil, err
			}
		}
		cfg = cfg.BinariesPath(bin)
		o.Log.Info("starting embedded PostgreSQL from the local install", "binaries", local, "version", version, "dir", e.Dir, "port", e.Port)
	} else {
		// No local install: embedded-postgres downloads its own binaries once.
		cfg = cfg.BinariesPath(filepath.Join(e.Dir, "binaries"))
		o.Log.Info("starting embedded PostgreSQL (downloading binaries)", "dir", e.Dir, "port", e.Port)
		if os.Geteuid() == 0 {
			return nil, errors.New("embedded PostgreSQL as root needs a local PostgreSQL install (initdb refuses root): install the postgresql package or set DATABASE_URL")
		}
	}

	pg := embeddedpostgres.NewDatabase(cfg)
	if err := pg.Start(); err != nil {
		return nil, fmt.Errorf("embedded PostgreSQL: %w", err)
	}
	if err := writeOwner(owner); err != nil {
		return nil, errors.Join(fmt.Errorf("embedded PostgreSQL: %w", err), pg.Stop())
	}
	srv.stop = func() error {
		err := pg.Stop()
		_ = os.Remove(owner)
		if e.Ephemeral {
			err = errors.Join(err, os.RemoveAll(e.Dir))
		}
		return err
	}
	return srv, nil
}

// readOwner reads the pid of the process that started (or adopted) the
// embedded server.
func readOwner(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid, err == nil && pid > 0
}

func writeOwner(path string) error {
	return os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
}

// alive reports whether a process with pid exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// stopAdopted stops an embedded server this process did not start, with
// pg_ctl (through the root shim when there is one, as the user it runs as).
func stopAdopted(dir, dataDir string) error {
	pgCtl := filepath.Join(dir, "shim", "bin", "pg_ctl")
	if _, err := os.Stat(pgCtl); err != nil {
		local, _, ok := localInstall()
		if !ok {
			return errors.New("embedded PostgreSQL: no pg_ctl to stop it with")
		}
		pgCtl = filepath.Join(local, "bin", "pg_ctl")
	}
	out, err := exec.Command(pgCtl, "stop", "-D", dataDir, "-m", "fast", "-w").CombinedOutput()
	if err != nil {
		return fmt.Errorf("embedded PostgreSQL: pg_ctl stop: %v: %s", err, out)
	}
	return nil
}

// localInstall finds PostgreSQL server binaries on this machine: the newest
// Debian-style /usr/lib/postgresql/N, else initdb on PATH. It returns the
// directory that holds bin/ and the major version.
func localInstall() (dir, major string, ok bool) {
	candidates, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	sort.Slice(candidates, func(i, j int) bool { return versionOf(candidates[i]) > versionOf(candidates[j]) })
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		candidates = append(candidates, p)
	}
	for _, c := range candidates {
		bin := filepath.Dir(c)
		if _, err := os.Stat(filepath.Join(bin, "initdb")); err != nil {
			continue
		}
		out, err := exec.Command(filepath.Join(bin, "postgres"), "--version").Output()
		if err != nil {
			continue
		}
		// "postgres (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
		fields := strings.Fields(string(out))
		if len(fields) < 3 {
			continue
		}
		return filepath.Dir(bin), strings.SplitN(fields[2], ".", 2)[0], true
	}
	return "", "", false
}

func versionOf(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

// dropRootShim writes a bin/ directory whose initdb and pg_ctl hand the
// runtime and data directories to an unprivileged user and run the real
// binaries as that user: initdb refuses to run as root, and so does postgres.
// pg_ctl finds postgres next to itself, so the real one is used.
func dropRootShim(dir, local, runtimeDir, dataDir string) (string, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		if u, err = user.Lookup("nobody"); err != nil {
			return "", fmt.Errorf("embedded PostgreSQL as root: no unprivileged user (postgres or nobody) to run it as")
		}
	}
	shim := filepath.Join(dir, "shim")
	if err := os.MkdirAll(filepath.Join(shim, "bin"), 0o755); err != nil {
		return "", err
	}
	for _, name := range []string{"initdb", "pg_ctl"} {
		script := fmt.Sprintf(`#!/bin/sh
# Written by SameSide: run %[1]s as an unprivileged user (it refuses root).
set -e
mkdir -p %[2]q %[3]q
chown -R %[4]s:%[5]s %[2]q %[3]q
chmod 700 %[3]q
exec setpriv --reuid=%[4]s --regid=%[5]s --clear-groups %[6]q "$@"
`, name, runtimeDir, dataDir, u.Uid, u.Gid, filepath.Join(local, "bin", name))
		if err := os.WriteFile(filepath.Join(shim, "bin", name), []byte(script), 0o755); err != nil {
			return "", err
		}
	}
	return shim, nil
}

// logWriter sends PostgreSQL's output to the structured log.
type logWriter struct{ log *slog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		if line != "" {
			w.log.Debug("postgres", "line", line)
		}
	}
	return len(p), nil
}
