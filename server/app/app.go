// Package app assembles the SameSide server from its configuration: finds
// and migrates the database, seeds the demo school, sets up sign-in and
// serves HTTP until its context ends, then shuts down gracefully. `main` and
// the end-to-end tests both use it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/server/api"
	"github.com/sameside/sameside/server/auth"
	"github.com/sameside/sameside/server/config"
	"github.com/sameside/sameside/server/database"
	"github.com/sameside/sameside/server/demo"
)

// App is a configured server with its database open.
type App struct {
	Config config.Config
	Log    *slog.Logger
	DB     *gorm.DB
	Domain *domain.Service
	// Demo signs demo tokens; nil unless in demo mode.
	Demo     *auth.DemoSigner
	Verifier auth.Verifier
	pg       *database.Server
}

// Option changes how Open builds the app.
type Option func(*App)

// WithVerifier makes the app verify tokens with v instead of Firebase or the
// demo signer (tests of production mode, which has no credentials here).
func WithVerifier(v auth.Verifier) Option { return func(a *App) { a.Verifier = v } }

// Open finds the database, migrates it, and prepares sign-in. It does not
// seed or serve.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...Option) (*App, error) {
	pg, err := database.Find(ctx, database.Options{
		URL:       cfg.DatabaseURL,
		LocalAddr: cfg.LocalPostgres,
		Log:       log,
		Embedded:  database.EmbeddedOptions{Dir: cfg.EmbeddedDir, Port: cfg.EmbeddedPort},
	})
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, pg: pg}
	for _, o := range opts {
		o(a)
	}
	if err := a.open(ctx); err != nil {
		_ = a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) open(ctx context.Context) error {
	db, err := database.Open(ctx, a.pg.URL, a.Log)
	if err != nil {
		return err
	}
	a.DB = db
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	if err := database.Migrate(ctx, sqlDB, a.Log); err != nil {
		return err
	}
	a.Domain = domain.New(db)
	if a.Verifier != nil {
		return nil
	}
	if a.Config.DemoMode() {
		if a.Demo, err = auth.LoadDemoSigner(ctx, db); err != nil {
			return err
		}
		a.Verifier = a.Demo
		return nil
	}
	fv, err := auth.NewFirebaseVerifier(ctx, a.Config.FirebaseProjectID)
	if err != nil {
		return err
	}
	fv.CheckRevoked = a.Config.FirebaseCheckRevoked
	a.Verifier = fv
	return nil
}

// Handler returns the HTTP handler.
func (a *App) Handler() http.Handler {
	return api.NewHandler(api.Deps{
		DB:         a.DB,
		Domain:     a.Domain,
		Auth:       &auth.Authenticator{Verifier: a.Verifier, Users: a.Domain},
		Log:        a.Log,
		Production: a.Config.Production(),
	})
}

// Seed loads the demo school if the database is empty.
func (a *App) Seed(ctx context.Context) (bool, error) {
	return demo.Seed(ctx, a.DB, time.Now())
}

// DemoToken returns a bearer token for a demo user ("admin", "teacher",
// "parent" or an email).
func (a *App) DemoToken(ctx context.Context, who string) (string, error) {
	if a.Demo == nil {
		return "", errors.New("demo tokens exist only in demo mode (no FIREBASE_PROJECT_ID)")
	}
	u, err := demo.FindUser(ctx, a.DB, who)
	if err != nil {
		return "", err
	}
	return a.Demo.Sign(u.FirebaseUID, auth.DemoTokenTTL)
}

// Serve answers HTTP on l until ctx ends, then shuts down gracefully: it stops
// accepting, lets requests in flight finish (within ShutdownTimeout) and
// returns.
func (a *App) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "timeout", a.Config.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close releases the database and stops an embedded PostgreSQL.
func (a *App) Close() error {
	var errs []error
	if a.DB != nil {
		if sqlDB, err := a.DB.DB(); err == nil {
			errs = append(errs, sqlDB.Close())
		}
	}
	if a.pg != nil {
		errs = append(errs, a.pg.Close())
	}
	return errors.Join(errs...)
}

// DatabaseSource says where the database came from.
func (a *App) DatabaseSource() database.Source { return a.pg.Source }
