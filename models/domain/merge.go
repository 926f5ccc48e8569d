package domain

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// MergeAccounts makes one person's two accounts one: everything the first
// holds or wrote (roles, children, classes, messages, notes, reactions,
// devices, settings…) moves to the second, where the second has none of
// its own under the same key, and the first is deleted; its sign-in keeps
// working, into the second. ADMIN of every school either account belongs
// to; audited in each; both are told their access changed.
func (s *Service) MergeAccounts(ctx context.Context, v *models.Viewer, in models.MergeAccountsInput) (*models.User, error) {
	if !validID(in.FromUserID) || !validID(in.IntoUserID) {
		return nil, models.NotFound("user")
	}
	if in.FromUserID == in.IntoUserID {
		return nil, models.InvalidField("intoUserId", "an account is merged into another one")
	}
	var into models.User
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var schools []string
		if err := tx.Model(&models.Membership{}).Where("user_id IN ?", []string{in.FromUserID, in.IntoUserID}).
			Distinct("school_id").Pluck("school_id", &schools).Error; err != nil {
			return err
		}
		var found int64
		if err := tx.Model(&models.User{}).Where("id IN ?", []string{in.FromUserID, in.IntoUserID}).Count(&found).Error; err != nil {
			return err
		}
		if found != 2 || len(schools) == 0 {
			return models.NotFound("user")
		}
		if err := policy.RequireAdminOfAll(v, schools, "merges its accounts"); err != nil {
			return err
		}
		var from models.User
		if err := tx.Take(&from, "id = ?", in.FromUserID).Error; err != nil {
			return err
		}
		if err := mergeUser(tx, &from, in.IntoUserID); err != nil {
			return err
		}
		for _, school := range schools {
			if err := s.auditWrite(tx, v, school, "", in.IntoUserID, "account.merge"); err != nil {
				return err
			}
		}
		if err := s.accessChanged(tx, in.FromUserID, in.IntoUserID); err != nil {
			return err
		}
		return tx.Take(&into, "id = ?", in.IntoUserID).Error
	})
	return &into, err
}

// mergeUser makes from's account into's: every reference moves
// (moveReferences), and so do the roster's links (not a foreign key) and
// from's sign-ins (its own, unless it is a roster placeholder, and its
// aliases); then from is deleted. Claiming a roster record and merging two
// accounts both come here.
func mergeUser(tx *gorm.DB, from *models.User, into string) error {
	if err := moveReferences(tx, from.ID, into); err != nil {
		return err
	}
	if err := tx.Model(&models.RosterID{}).Where("target_id = ?", from.ID).Update("target_id", into).Error; err != nil {
		return err
	}
	if err := tx.Exec(`UPDATE user_aliases SET user_id = ? WHERE user_id = ?`, into, from.ID).Error; err != nil {
		return err
	}
	if !strings.HasPrefix(from.FirebaseUID, models.UnclaimedUIDPrefix) {
		if err := tx.Create(&models.UserAlias{FirebaseUID: from.FirebaseUID, UserID: into}).Error; err != nil {
			return err
		}
	}
	return tx.Delete(&models.User{}, "id = ?", from.ID).Error
}

// moveReferences points every foreign key to users that names from at into,
// table by table as the schema has them (so a table added later is covered
// too), and every column commented as referencing users. A row into already has under a unique key stays, and from's twin
// goes with from.
func moveReferences(tx *gorm.DB, from, into string) error {
	var fks []struct{ Tbl, Col string }
	// Columns behind a foreign key to users, and those whose comment says
	// they reference users without one (the fan-out's rows, migration
	// 00032, checked by their statements).
	if err := tx.Raw(`SELECT c.conrelid::regclass::text AS tbl, a.attname AS col FROM pg_constraint c
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass AND array_length(c.conkey, 1) = 1
		UNION
		SELECT d.objoid::regclass::text, a.attname FROM pg_description d
		JOIN pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid
		WHERE d.classoid = 'pg_class'::regclass AND d.objsubid > 0 AND d.description LIKE 'references users (id)%'
		ORDER BY 1, 2`).Scan(&fks).Error; err != nil {
		return err
	}
	for _, fk := range fks {
		// The other columns of each unique key on the table that holds
		// the column (a partial unique index counts as a whole one: a row
		// moves only where into has no twin at all).
		var keys []string
		if err := tx.Raw(`SELECT coalesce(string_agg(quote_ident(a.attname), ',') FILTER (WHERE a.attname <> @col), '')
			FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
			WHERE i.indrelid = CAST(@tbl AS regclass) AND i.indisunique AND i.indexprs IS NULL
			GROUP BY i.indexrelid HAVING bool_or(a.attname = @col)`, map[string]any{"tbl": fk.Tbl, "col": fk.Col}).Scan(&keys).Error; err != nil {
			return err
		}
		col := quoteIdent(fk.Col)
		stmt := fmt.Sprintf(`UPDATE %s t SET %s = @into WHERE t.%s = @from`, fk.Tbl, col, col)
		for _, k := range keys {
			same := fmt.Sprintf("x.%s = @into", col)
			for _, o := range strings.Split(k, ",") {
				if o != "" {
					same += fmt.Sprintf(" AND x.%s IS NOT DISTINCT FROM t.%s", o, o)
				}
			}
			stmt += fmt.Sprintf(" AND NOT EXISTS (SELECT 1 FROM %s x WHERE %s)", fk.Tbl, same)
		}
		if err := tx.Exec(stmt, map[string]any{"from": from, "into": into}).Error; err != nil {
			return fmt.Errorf("moving %s.%s: %w", fk.Tbl, fk.Col, err)
		}
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
