package policy

import (
	"context"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// AdministeredDistricts lists the districts the viewer is a district admin of.
func AdministeredDistricts(ctx context.Context, db *gorm.DB, v *models.Viewer) ([]string, error) {
	var ids []string
	if v == nil {
		return ids, nil
	}
	err := db.WithContext(ctx).Model(&models.DistrictAdmin{}).Where("user_id = ?", v.ID).Order("district_id").Pluck("district_id", &ids).Error
	return ids, err
}

// RequireDistrictAdmin lets a district's admins through; anyone else gets
// NOT_FOUND (a district one does not administer is not shown to exist).
func RequireDistrictAdmin(ctx context.Context, db *gorm.DB, v *models.Viewer, districtID string) error {
	if err := RequireViewer(v); err != nil {
		return err
	}
	var n int64
	if err := db.WithContext(ctx).Model(&models.DistrictAdmin{}).Where("user_id = ? AND district_id = ?", v.ID, districtID).Count(&n).Error; err != nil {
		return models.Internal(err)
	}
	if n == 0 {
		return models.NotFound("district")
	}
	return nil
}
