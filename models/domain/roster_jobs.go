package domain

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
	"github.com/sameside/sameside/models/roster/oneroster"
)

// RosterQueue runs roster imports in the background (server/roster).
type RosterQueue interface {
	// EnqueueRosterImportTx queues the import inside tx.
	EnqueueRosterImportTx(ctx context.Context, tx *gorm.DB, importID string) error
}

// RequestRosterImport queues the import (or dry run) of a set the viewer
// uploaded as a zip, into a district they administer.
func (s *Service) RequestRosterImport(ctx context.Context, v *models.Viewer, in models.ImportRosterInput) (*models.RosterImport, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	district := ""
	if in.DistrictID != nil {
		district = *in.DistrictID
	} else {
		ids, err := policy.AdministeredDistricts(ctx, s.DB, v)
		if err != nil {
			return nil, internal(err)
		}
		if len(ids) != 1 {
			return nil, models.InvalidField("districtId", "say which district (you administer %d)", len(ids))
		}
		district = ids[0]
	}
	if !validID(district) {
		return nil, models.NotFound("district")
	}
	if err := policy.RequireDistrictAdmin(ctx, s.DB, v, district); err != nil {
		return nil, err
	}
	if !validID(in.UploadID) {
		return nil, models.NotFound("upload")
	}
	u, err := findOne[models.Upload](s.DB.WithContext(ctx).Where("id = ? AND user_id = ?", in.UploadID, v.ID), "upload")
	if err != nil {
		return nil, err
	}
	if u.ContentType != "application/zip" || u.State != models.UploadReady {
		return nil, models.InvalidField("uploadId", "a roster import takes a completed upload of a zip (application/zip)")
	}
	if s.Roster == nil {
		return nil, models.Errorf(models.CodeUnavailable, "roster imports are not running on this server")
	}
	dry := in.DryRun == nil || *in.DryRun
	invite := in.Invite != nil && *in.Invite
	if invite && !dry && s.Outbound == nil {
		return nil, models.Errorf(models.CodeUnavailable, "email and SMS are not set up on this server: import without invitations")
	}
	im := &models.RosterImport{DistrictID: &district, RequestedByID: &v.ID, UploadID: &u.ID, DryRun: dry, Invite: invite, State: models.ImportQueued,
		Changes: []models.RosterChange{}, Problems: []string{}}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(im).Error; err != nil {
			return err
		}
		return s.Roster.EnqueueRosterImportTx(ctx, tx, im.ID)
	})
	return im, err
}

// RosterImport returns an import of a district the viewer administers.
func (s *Service) RosterImport(ctx context.Context, v *models.Viewer, id string) (*models.RosterImport, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, models.NotFound("roster import")
	}
	im, err := findOne[models.RosterImport](s.DB.WithContext(ctx).Where("id = ?", id), "roster import")
	if err != nil {
		return nil, err
	}
	if im.DistrictID == nil {
		return nil, models.NotFound("roster import")
	}
	if err := policy.RequireDistrictAdmin(ctx, s.DB, v, *im.DistrictID); err != nil {
		return nil, models.NotFound("roster import")
	}
	return im, nil
}

// RunRosterImport works a queued import: it reads the upload's zip, applies
// it (or dry-runs it) and records the outcome, telling subscribers as it
// goes. A set with problems ends SUCCEEDED with its problems and nothing
// written; FAILED is for an import that could not run (an unreadable zip
// is a problem, not a failure).
func (s *Service) RunRosterImport(ctx context.Context, id string) error {
	var im models.RosterImport
	if err := s.DB.WithContext(ctx).Take(&im, "id = ?", id).Error; err != nil {
		return err
	}
	if im.State == models.ImportSucceeded || im.State == models.ImportFailed {
		return nil // already worked (a retried job)
	}
	if err := s.setImport(ctx, id, map[string]any{"state": models.ImportRunning, "progress": 5}); err != nil {
		return err
	}
	res, err := s.applyUpload(ctx, &im)
	if err != nil && !errors.Is(err, context.Canceled) {
		_ = s.setImport(ctx, id, map[string]any{"state": models.ImportFailed, "finished_at": s.now(),
			"problems": jsonOf([]string{"the import could not run: " + publicMessage(err)})})
		return err // logged by the job; a retry finds it FAILED and stops
	}
	if err != nil {
		return err
	}
	return s.setImport(ctx, id, map[string]any{"state": models.ImportSucceeded, "progress": 100, "finished_at": s.now(),
		"summary": jsonOf(res.Changes), "problems": jsonOf(res.Problems)})
}

func (s *Service) applyUpload(ctx context.Context, im *models.RosterImport) (*RosterResult, error) {
	if s.Files == nil || im.UploadID == nil || im.DistrictID == nil {
		return nil, errors.New("roster import: no file store or upload")
	}
	data, err := s.Files.Read(ctx, fileKey(*im.UploadID), models.MaxRosterZipBytes)
	if err != nil {
		return nil, fmt.Errorf("reading the upload: %w", err)
	}
	refused := func(msg string) *RosterResult {
		return &RosterResult{Changes: []models.RosterChange{}, Problems: []string{msg}}
	}
	fsys, err := oneroster.OpenZip(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return refused(err.Error()), nil
	}
	set, err := oneroster.Read(fsys)
	if err != nil {
		return refused(err.Error()), nil
	}
	_ = s.setImport(ctx, im.ID, map[string]any{"progress": 30})
	return s.ApplyRoster(ctx, set, RosterImportOptions{DistrictID: *im.DistrictID, DryRun: im.DryRun, Invite: im.Invite,
		Progress: func(p int) { _ = s.setImport(ctx, im.ID, map[string]any{"progress": p}) }})
}

// setImport updates an import's row outside any transaction (its progress
// shows while the import's own transaction runs) and tells subscribers.
func (s *Service) setImport(ctx context.Context, id string, fields map[string]any) error {
	err := s.DB.WithContext(context.WithoutCancel(ctx)).Model(&models.RosterImport{}).Where("id = ?", id).Updates(fields).Error
	if err == nil && s.Events != nil {
		s.Events.Publish(models.Event{Topic: models.RosterImportTopic(id), Type: "ROSTER_IMPORT"})
	}
	return err
}

// jsonOf is v as a jsonb value for an update by map (which skips GORM's
// serializers).
func jsonOf(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte("null")
	}
	return gorm.Expr("?::jsonb", string(b))
}

// publicMessage is what an error may tell a user: a coded error's message,
// or nothing of an internal one's cause.
func publicMessage(err error) string {
	var me *models.Error
	if errors.As(err, &me) && me.Code != models.CodeInternal {
		return me.Message
	}
	return "an internal error (it is in the server's log)"
}
