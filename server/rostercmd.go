package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"text/tabwriter"

	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/models/roster/oneroster"
	"github.com/sameside/sameside/server/app"
)

// rosterFlags are `server roster import`'s flags and its one argument.
type rosterFlags struct {
	path string
	opts domain.RosterImportOptions
}

// rosterMemoryLimit is the import command's soft memory limit.
const rosterMemoryLimit = 180 << 20

const rosterUsage = "usage: server roster import [--dry-run] [--invite] [--time-zone America/Chicago] [--district ID] PATH (a OneRoster 1.1 CSV folder or zip)"

// parse reads `roster import …` and returns the arguments left for the
// server's own flags (none: the database comes from the environment).
func (r *rosterFlags) parse(args []string) error {
	if len(args) == 0 || args[0] != "import" {
		return errors.New(rosterUsage)
	}
	fs := flag.NewFlagSet("roster import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&r.opts.DryRun, "dry-run", false, "report what would change and every problem; write nothing")
	fs.BoolVar(&r.opts.Invite, "invite", false, "invite the people the import creates by email, and ask their numbers for consent by text")
	fs.StringVar(&r.opts.TimeZone, "time-zone", "", "IANA time zone of a district the import creates")
	fs.StringVar(&r.opts.DistrictID, "district", "", "the district's id (default: the district orgs.csv names)")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%v\n%s", err, rosterUsage)
	}
	if fs.NArg() != 1 {
		return errors.New(rosterUsage)
	}
	r.path = fs.Arg(0)
	return nil
}

// openSet opens a OneRoster set from a folder or a zip file.
func openSet(path string) (fs.FS, func(), error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if st.IsDir() {
		return os.DirFS(path), func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	fsys, err := oneroster.OpenZip(f, st.Size())
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return fsys, func() { f.Close() }, nil
}

// runRoster imports (or dry-runs) a set and prints what changed and every
// problem; problems make it fail.
func runRoster(ctx context.Context, a *app.App, r rosterFlags, out io.Writer) error {
	// A district's import holds its roster's ids and rows in memory (a live
	// heap of about 150 MB at 140,000 people): a soft limit makes the
	// collector keep the process near it rather than at twice the live heap.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(rosterMemoryLimit)
	}
	fsys, done, err := openSet(r.path)
	if err != nil {
		return err
	}
	defer done()
	set, err := oneroster.Read(fsys)
	if err != nil {
		return err
	}
	// Between the import's steps, what the last one let go of goes back to
	// the system at once (a full collection each: a few hundred ms in all).
	debug.FreeOSMemory()
	r.opts.Progress = func(int) { debug.FreeOSMemory() }
	res, err := a.Domain.ApplyRoster(ctx, set, r.opts)
	if err != nil {
		return err
	}
	printRoster(out, res, r.opts.DryRun)
	if len(res.Problems) > 0 {
		return fmt.Errorf("%d problems: nothing was imported", len(res.Problems))
	}
	return nil
}

func printRoster(out io.Writer, res *domain.RosterResult, dryRun bool) {
	for _, p := range res.Problems {
		fmt.Fprintln(out, p)
	}
	if len(res.Problems) > 0 {
		return
	}
	verb := "imported into"
	if dryRun {
		verb = "dry run (nothing written) for"
	}
	if res.NewDistrict && dryRun {
		fmt.Fprintf(out, "%s a new district\n", verb)
	} else {
		fmt.Fprintf(out, "%s district %s\n", verb, res.DistrictID)
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "\tcreated\tupdated\twithdrawn\tunchanged\t")
	for _, c := range res.Changes {
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t\n", c.Kind, c.Created, c.Updated, c.Withdrawn, c.Unchanged)
	}
	w.Flush()
}
