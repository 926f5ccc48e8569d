package domain

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/roster/oneroster"
)

// RosterImportOptions say how to apply a OneRoster set.
type RosterImportOptions struct {
	// DistrictID is the district the set is for. Empty: the district its
	// orgs.csv names, created on the first import (TimeZone is then needed).
	DistrictID string
	// TimeZone (IANA) for a district and schools the import creates.
	TimeZone string
	// DryRun computes everything and writes nothing.
	DryRun bool
	// Invite sends the people the import creates an invitation (email, and
	// a consent text to their number), in the import's transaction.
	Invite bool
	// Progress, if set, hears how far the import is (percent, 30 to 90).
	Progress func(percent int)
}

// RosterResult is what an import did, or a dry run would do.
type RosterResult struct {
	DistrictID string
	// NewDistrict: the import created the district (a dry run would).
	NewDistrict bool
	Changes     []models.RosterChange
	// Problems are file:line: message; with any, nothing was written.
	Problems []string
	// Invitees are the people this import created (guardians and staff)
	// who have not signed in yet: whom to invite by email or SMS. Empty
	// for a dry run or a refused set.
	Invitees []uuid.UUID
}

// The kinds of rows an import reports, in order.
var rosterKinds = []string{"schools", "classes", "students", "staff", "guardians", "guardianships", "enrollments"}

// errRollback ends a dry run's (or a refused set's) transaction.
var errRollback = errors.New("roster: roll back")

// ApplyRoster applies a read set to its district in one transaction: all
// of it or, on any problem, none of it. Re-applying the same set changes
// nothing. The caller decides who may (the command line, or a district
// admin through the API).
func (s *Service) ApplyRoster(ctx context.Context, set *oneroster.Set, o RosterImportOptions) (*RosterResult, error) {
	var res *RosterResult
	err := s.tx(ctx, func(tx *gorm.DB) error {
		im := &importer{s: s, tx: tx, set: set, now: s.now(), counts: map[string]*models.RosterChange{}, opts: o}
		for _, k := range rosterKinds {
			im.counts[k] = &models.RosterChange{Kind: k}
		}
		res = &RosterResult{}
		err := im.run(ctx)
		res.DistrictID, res.NewDistrict = im.district.ID, im.created
		for _, k := range rosterKinds {
			res.Changes = append(res.Changes, *im.counts[k])
		}
		for _, p := range set.Problems {
			res.Problems = append(res.Problems, p.String())
		}
		if err == nil && (o.DryRun || len(res.Problems) > 0) {
			return errRollback
		}
		res.Invitees = im.invitees
		if err == nil && o.Invite {
			err = s.inviteTx(ctx, tx, im.invitees)
		}
		return err
	})
	if errors.Is(err, errRollback) {
		return res, nil
	}
	return res, err
}

// importer is one import's state.
type importer struct {
	s        *Service
	tx       *gorm.DB
	set      *oneroster.Set
	opts     RosterImportOptions
	now      time.Time
	district models.District
	created  bool // the district is new
	// ids are the district's roster ids by kind and sourcedId: those kept
	// from earlier imports, and those this one writes.
	ids    map[string]map[string]*rosterRef
	counts map[string]*models.RosterChange
	// access are users whose access changed: their live subscriptions
	// end and they are told.
	access map[string]bool
	// schools are the district's schools, roomSchool each classroom's
	// school, studentSchool the school of each student in the set.
	invitees      []uuid.UUID // 16-byte ids: a district has a hundred thousand
	schools       []string
	roomSchool    map[string]string
	studentSchool map[string]string
}

func (im *importer) run(ctx context.Context) error {
	if err := im.resolveDistrict(); err != nil {
		return err
	}
	if err := im.loadIDs(); err != nil {
		return err
	}
	im.set.Check(func(file, id string) bool { return im.ids[file][id] != nil })
	if len(im.set.Problems) > 0 {
		return nil
	}
	im.access = map[string]bool{}
	// Each step lets go of the rows it was the last to read: at district
	// scale they are most of the import's memory.
	release := func(free func()) func() error { return func() error { free(); return nil } }
	steps := []func() error{im.orgs, im.sessions, im.courses, im.classes, im.users, im.guardianships,
		release(func() { im.set.Users, im.studentSchool = nil, nil }), im.enrollments,
		release(func() { im.set.Enrollments = nil }), im.saveIDs}
	for i, step := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := step(); err != nil {
			return err
		}
		if im.opts.Progress != nil {
			im.opts.Progress(30 + 60*(i+1)/len(steps))
		}
	}
	users := make([]string, 0, len(im.access))
	for u := range im.access {
		users = append(users, u)
	}
	return im.s.accessChanged(im.tx, users...)
}

// resolveDistrict finds the set's district (and locks its imports, one at
// a time), or creates it.
func (im *importer) resolveDistrict() error {
	var named *oneroster.Org
	for i, o := range im.set.Orgs {
		if o.Type != "district" || o.Deleted {
			continue
		}
		if named != nil {
			im.set.Problems = append(im.set.Problems, oneroster.Problem{File: "orgs.csv", Line: o.Line,
				Message: fmt.Sprintf("a second district (%q, after line %d): import one district at a time", o.SourcedID, named.Line)})
			return nil
		}
		named = &im.set.Orgs[i]
	}
	id := im.opts.DistrictID
	if id == "" && named != nil {
		var found []string
		if err := im.tx.Model(&models.RosterID{}).Where("kind = ? AND sourced_id = ? AND target_id = district_id", oneroster.FileOrgs, named.SourcedID).
			Pluck("district_id", &found).Error; err != nil {
			return err
		}
		if len(found) > 0 {
			id = found[0]
		}
	}
	switch {
	case id != "":
		if err := im.tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&im.district, "id = ?", id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return models.NotFound("district")
		} else if err != nil {
			return err
		}
	case named == nil:
		im.set.Problems = append(im.set.Problems, oneroster.Problem{File: "orgs.csv", Message: "no district org: say which district the set is for"})
		return nil
	default:
		if _, err := models.LoadZone(im.opts.TimeZone); err != nil || im.opts.TimeZone == "" {
			return models.InvalidField("timeZone", "a new district needs its IANA time zone, e.g. America/Los_Angeles")
		}
		im.district, im.created = models.District{ID: uuid.NewString(), Name: named.Name, TimeZone: im.opts.TimeZone}, true
		if err := im.tx.Create(&im.district).Error; err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) loadIDs() error {
	im.ids = map[string]map[string]*rosterRef{}
	for _, f := range []string{oneroster.FileOrgs, oneroster.FileSessions, oneroster.FileCourses, oneroster.FileClasses, oneroster.FileUsers, oneroster.FileEnrollments} {
		im.ids[f] = map[string]*rosterRef{}
	}
	if im.district.ID == "" {
		return nil
	}
	rows, err := im.tx.Model(&models.RosterID{}).Where("district_id = ?", im.district.ID).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r models.RosterID
		if err := im.tx.ScanRows(rows, &r); err != nil {
			return err
		}
		if im.ids[r.Kind] != nil {
			ref := &rosterRef{SourcedID: r.SourcedID, Label: r.Label, Withdrawn: r.Withdrawn}
			copy(ref.Digest[:], r.Digest)
			if r.TargetID != nil {
				ref.Target = uuid.MustParse(*r.TargetID)
			}
			im.ids[r.Kind][r.SourcedID] = ref
		}
	}
	return rows.Err()
}

// digest is the hash of the fields an import reads from a row.
func digest(fields ...string) []byte {
	sum := sha256.Sum256([]byte(strings.Join(fields, "\x1f")))
	return sum[:16]
}

// change is what happens to one row: it is new, changed, gone or the same.
type change int

const (
	same change = iota
	created
	updated
	withdrawn
)

// rosterRef is what the import keeps of one roster id: compact, as a
// district has hundreds of thousands.
type rosterRef struct {
	SourcedID string
	Target    uuid.UUID // zero: no row of its own
	Digest    [16]byte
	Label     string
	Withdrawn bool
	dirty     bool // to be saved
}

func (r *rosterRef) hasTarget() bool { return r.Target != uuid.Nil }
func (r *rosterRef) target() string  { return r.Target.String() }

// note records the row's roster id (new or changed) and returns what
// changed. A row that was withdrawn and comes back counts as updated.
func (im *importer) note(file, sourcedID string, target *string, label string, sum []byte, gone bool) (*rosterRef, change) {
	old := im.ids[file][sourcedID]
	switch {
	case old == nil && gone:
		return nil, same
	case old == nil:
		r := &rosterRef{SourcedID: sourcedID, Label: label, dirty: true}
		copy(r.Digest[:], sum)
		if target != nil {
			r.Target = uuid.MustParse(*target)
		}
		im.ids[file][sourcedID] = r
		return r, created
	case gone && old.Withdrawn:
		return old, same
	case gone:
		old.Withdrawn, old.dirty = true, true
		return old, withdrawn
	case !old.Withdrawn && string(old.Digest[:]) == string(sum):
		return old, same
	default:
		old.Withdrawn, old.Label, old.dirty = false, label, true
		copy(old.Digest[:], sum)
		if target != nil {
			old.Target = uuid.MustParse(*target)
		}
		return old, updated
	}
}

func (im *importer) count(kind string, c change) {
	switch c {
	case created:
		im.counts[kind].Created++
	case updated:
		im.counts[kind].Updated++
	case withdrawn:
		im.counts[kind].Withdrawn++
	default:
		im.counts[kind].Unchanged++
	}
}

// absent lists the sourcedIds of file kept from earlier imports, still
// active, that a bulk file leaves out: they are withdrawn.
func (im *importer) absent(file string, present map[string]bool) []*rosterRef {
	if im.set.Mode(file) != oneroster.ModeBulk {
		return nil
	}
	var out []*rosterRef
	for id, r := range im.ids[file] {
		if !present[id] && !r.Withdrawn {
			out = append(out, r)
		}
	}
	return out
}

func (im *importer) target(file, sourcedID string) string {
	if r := im.ids[file][sourcedID]; r != nil && r.hasTarget() {
		return r.target()
	}
	return ""
}

func (im *importer) orgs() error {
	present := map[string]bool{}
	for _, o := range im.set.Orgs {
		present[o.SourcedID] = true
		sum := digest(o.Name, o.Type, o.Parent)
		switch o.Type {
		case "district":
			r, c := im.note(oneroster.FileOrgs, o.SourcedID, &im.district.ID, o.Type, sum, o.Deleted)
			if c == updated && r != nil && !o.Deleted && im.district.Name != o.Name {
				if err := im.tx.Model(&im.district).Updates(map[string]any{"name": o.Name, "updated_at": im.now}).Error; err != nil {
					return err
				}
			}
		case "school":
			id := im.target(oneroster.FileOrgs, o.SourcedID)
			isNew := id == ""
			if isNew {
				id = uuid.NewString()
			}
			_, c := im.note(oneroster.FileOrgs, o.SourcedID, &id, o.Type, sum, o.Deleted)
			im.count("schools", c)
			switch {
			case c == created && isNew:
				if err := im.tx.Create(&models.School{ID: id, Name: o.Name, TimeZone: im.district.TimeZone, DistrictID: &im.district.ID}).Error; err != nil {
					return err
				}
			case c == updated:
				if err := im.tx.Model(&models.School{}).Where("id = ?", id).
					Updates(map[string]any{"name": o.Name, "district_id": im.district.ID, "updated_at": im.now}).Error; err != nil {
					return err
				}
			}
		default: // departments and the like: kept for references only
			im.note(oneroster.FileOrgs, o.SourcedID, nil, o.Type, sum, o.Deleted)
		}
	}
	for _, r := range im.absent(oneroster.FileOrgs, present) {
		_, c := im.note(oneroster.FileOrgs, r.SourcedID, nil, r.Label, r.Digest[:], true)
		if r.Label == "school" {
			im.count("schools", c) // the school stays, with its history; its people go with the users file
		}
	}
	return nil
}

func (im *importer) sessions() error {
	byID := map[string]oneroster.Session{}
	for _, x := range im.set.Sessions {
		byID[x.SourcedID] = x
	}
	present := map[string]bool{}
	for _, x := range im.set.Sessions {
		present[x.SourcedID] = true
		// A class carries its school year's title: the session's own for a
		// schoolYear, its parent's (or its schoolYear column) otherwise.
		year := x.Title
		if x.Type != "schoolYear" {
			year = x.SchoolYear
			if p, ok := byID[x.Parent]; ok && p.Type == "schoolYear" {
				year = p.Title
			} else if r := im.ids[oneroster.FileSessions][x.Parent]; r != nil {
				year = r.Label
			}
		}
		im.note(oneroster.FileSessions, x.SourcedID, nil, year, digest(x.Title, x.Type, x.Parent, x.SchoolYear, x.Start.String(), x.End.String()), x.Deleted)
	}
	for _, r := range im.absent(oneroster.FileSessions, present) {
		im.note(oneroster.FileSessions, r.SourcedID, nil, r.Label, r.Digest[:], true)
	}
	return nil
}

func (im *importer) courses() error {
	present := map[string]bool{}
	for _, c := range im.set.Courses {
		present[c.SourcedID] = true
		im.note(oneroster.FileCourses, c.SourcedID, nil, "", digest(c.Title, c.Org, c.SchoolYear), c.Deleted)
	}
	for _, r := range im.absent(oneroster.FileCourses, present) {
		im.note(oneroster.FileCourses, r.SourcedID, nil, r.Label, r.Digest[:], true)
	}
	return nil
}

// saveIDs writes the roster ids this import created or changed.
func (im *importer) saveIDs() error {
	var batch []models.RosterID
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := im.tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "district_id"}, {Name: "kind"}, {Name: "sourced_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"target_id", "label", "digest", "withdrawn", "updated_at"}),
		}).Create(&batch).Error
		batch = batch[:0]
		return err
	}
	for kind, refs := range im.ids {
		for _, r := range refs {
			if !r.dirty {
				continue
			}
			row := models.RosterID{DistrictID: im.district.ID, Kind: kind, SourcedID: r.SourcedID, Label: r.Label,
				Digest: append([]byte(nil), r.Digest[:]...), Withdrawn: r.Withdrawn, UpdatedAt: im.now}
			if r.hasTarget() {
				t := r.target()
				row.TargetID = &t
			}
			batch = append(batch, row)
			if len(batch) == 2000 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}
