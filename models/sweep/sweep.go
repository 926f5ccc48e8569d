// Package sweep deletes rows a batch at a time, each batch its own commit,
// so a daily chore that empties a table of old rows never holds many row
// locks, nor one long transaction.
package sweep

import (
	"context"

	"gorm.io/gorm"
)

// Delete deletes from table (a constant of the caller's) the rows whose
// ctids rows selects (`SELECT ctid FROM table WHERE … ORDER BY …`, in the
// order of the index that finds them: without it the planner may take the
// first rows of a pass over the whole table, and the last batch of each
// run read all of it), batch of them a statement, until a statement
// deletes fewer or ctx ends; it says how many it deleted.
func Delete(ctx context.Context, db *gorm.DB, table string, batch int, rows string, args ...any) (int64, error) {
	var total int64
	for {
		res := db.WithContext(ctx).Exec(`DELETE FROM `+table+` WHERE ctid = ANY (ARRAY(`+rows+` LIMIT ?))`, append(args, batch)...)
		if res.Error != nil {
			return total, res.Error
		}
		total += res.RowsAffected
		if res.RowsAffected < int64(batch) || ctx.Err() != nil {
			return total, ctx.Err()
		}
	}
}
