package domain

import (
	"context"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// CreateResource adds an article or link for parents (staff of the
// school). Errors: BAD_USER_INPUT (an https URL; title; at most 20 grades),
// FORBIDDEN, NOT_FOUND (school).
func (s *Service) CreateResource(ctx context.Context, v *models.Viewer, in models.CreateResourceInput) (*models.Resource, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !policy.IsMember(v, in.SchoolID) {
		return nil, models.NotFound("school")
	}
	if !policy.IsStaff(v, in.SchoolID) {
		return nil, models.Errorf(models.CodeForbidden, "school staff curate resources")
	}
	title, err := models.CleanText("title", in.Title, 200, true)
	if err != nil {
		return nil, err
	}
	link, err := httpsURL("url", in.URL, 1000)
	if err != nil {
		return nil, err
	}
	if !in.Topic.Valid() {
		return nil, models.InvalidField("topic", "unknown topic")
	}
	r := &models.Resource{SchoolID: in.SchoolID, Title: title, URL: link, Topic: in.Topic, Grades: []string{}, CreatedByID: v.ID, CreatedAt: s.now()}
	if in.Summary != nil {
		if r.Summary, err = models.CleanText("summary", *in.Summary, 1000, false); err != nil {
			return nil, err
		}
	}
	if len(in.Grades) > 20 {
		return nil, models.InvalidField("grades", "at most 20 grades")
	}
	for _, g := range in.Grades {
		g, err := models.CleanText("grades", g, 20, true)
		if err != nil {
			return nil, err
		}
		r.Grades = append(r.Grades, g)
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(r).Error; err != nil {
			return err
		}
		return s.translateTx(ctx, tx, "resource", r.ID)
	})
	return r, internal(err)
}

// DeleteResource removes a resource (its author or an admin of the school).
func (s *Service) DeleteResource(ctx context.Context, v *models.Viewer, in models.ResourceIDInput) (bool, error) {
	if err := policy.RequireViewer(v); err != nil {
		return false, err
	}
	res := s.DB.WithContext(ctx).Where("id = ? AND (created_by_id = ? OR school_id IN ?)", in.ID, v.ID, orNone(policy.AdminSchools(v))).
		Delete(&models.Resource{})
	if res.Error != nil {
		return false, internal(res.Error)
	}
	if res.RowsAffected == 0 {
		return false, models.NotFound("resource")
	}
	return true, nil
}

// Resources lists resources, newest first, on one topic when given: staff
// see their schools'; a parent those recommended for their children (their
// school, for every grade or one of the children's grades).
func (s *Service) Resources(ctx context.Context, v *models.Viewer, topic *models.EventTopic) ([]*models.Resource, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	staff := policy.StaffSchools(v)
	q := s.DB.WithContext(ctx).Where(`school_id IN ? OR EXISTS (SELECT 1 FROM students st WHERE st.id IN (`+policy.GuardedStudentsSQL+`)
		AND st.school_id = resources.school_id AND (cardinality(resources.grades) = 0 OR st.grade = ANY(resources.grades)))`, orNone(staff), v.ID)
	if topic != nil {
		q = q.Where("topic = ?", *topic)
	}
	var out []*models.Resource
	return out, internal(q.Order("created_at DESC, id").Limit(200).Find(&out).Error)
}
