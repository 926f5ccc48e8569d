package database

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Source says where the database came from.
type Source string

// Sources, in the order Find tries them.
const (
	SourceURL      Source = "DATABASE_URL"
	SourceLocal    Source = "local"
	SourceEmbedded Source = "embedded"
)

// Options says where to look for PostgreSQL.
type Options struct {
	// URL, when set (DATABASE_URL), is used as is; nothing else is tried.
	URL string
	// LocalAddr is the host:port of a local server to use when it answers
	// (trust auth, user postgres). Empty means do not probe.
	LocalAddr string
	// DatabaseName is the database created on a local or embedded server.
	DatabaseName string
	// Embedded configures the last resort.
	Embedded EmbeddedOptions
	Log      *slog.Logger
}

// Server is a PostgreSQL database SameSide can use.
type Server struct {
	// URL connects to the application database.
	URL string
	// AdminURL connects to the server's maintenance database ("postgres") as a
	// superuser; tests create their databases through it. Empty for SourceURL.
	AdminURL string
	Source   Source
	stop     func() error
}

// Close stops the embedded server if Find started one.
func (s *Server) Close() error {
	if s == nil || s.stop == nil {
		return nil
	}
	return s.stop()
}

// Find returns the database to use: DATABASE_URL if set; else the local
// server if it answers (creating the database when missing); else an embedded
// PostgreSQL, reusing one a sibling process already started.
func Find(ctx context.Context, o Options) (*Server, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.DatabaseName == "" {
		o.DatabaseName = "sameside"
	}
	if o.URL != "" {
		return &Server{URL: o.URL, Source: SourceURL}, nil
	}
	if o.LocalAddr != "" && answers(o.LocalAddr) {
		admin := pgURL("postgres", "", o.LocalAddr, "postgres")
		if err := ensureDatabase(ctx, admin, o.DatabaseName); err != nil {
			return nil, fmt.Errorf("local PostgreSQL at %s: %w", o.LocalAddr, err)
		}
		o.Log.Info("using local PostgreSQL", "addr", o.LocalAddr, "database", o.DatabaseName)
		return &Server{URL: pgURL("postgres", "", o.LocalAddr, o.DatabaseName), AdminURL: admin, Source: SourceLocal}, nil
	}
	return startEmbedded(ctx, o)
}

// answers reports whether something accepts TCP connections at addr.
func answers(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

func pgURL(user, password, addr, db string) string {
	u := url.URL{Scheme: "postgres", Host: addr, Path: "/" + db, RawQuery: "sslmode=disable"}
	if password != "" {
		u.User = url.UserPassword(user, password)
	} else {
		u.User = url.User(user)
	}
	return u.String()
}

// ensureDatabase creates the database on the server behind adminURL if missing.
func ensureDatabase(ctx context.Context, adminURL, name string) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var dup interface{ SQLState() string }
	if errors.As(err, &dup) && dup.SQLState() == "42P04" { // created by a sibling meanwhile
		return nil
	}
	return err
}

func portString(p uint32) string { return strconv.FormatUint(uint64(p), 10) }
