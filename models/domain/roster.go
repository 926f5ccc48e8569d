package domain

import (
	"context"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// The roster as each viewer may see it: students and classrooms (the
// schema's roster.graphqls).

// Student returns a student the viewer may see, or NOT_FOUND.
func (s *Service) Student(ctx context.Context, v *models.Viewer, id string) (*models.Student, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, models.NotFound("student")
	}
	return policy.VisibleStudent(ctx, s.DB, v, id)
}

// StudentProfile is Student for the API: a staff member's read is audited
// (Student itself also serves writes, which audit what they change).
func (s *Service) StudentProfile(ctx context.Context, v *models.Viewer, id string) (*models.Student, error) {
	st, err := s.Student(ctx, v, id)
	if err != nil {
		return nil, err
	}
	return st, s.AuditRead(ctx, v, st.SchoolID, st.ID, "", "student.profile")
}

// Classroom returns a classroom the viewer may see, or NOT_FOUND.
func (s *Service) Classroom(ctx context.Context, v *models.Viewer, id string) (*models.Classroom, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, models.NotFound("classroom")
	}
	return policy.VisibleClassroom(ctx, s.DB, v, id)
}
