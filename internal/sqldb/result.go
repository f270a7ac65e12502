package sqldb

import "database/sql"

// RowsAffected returns how many rows the statement that returned res and
// err changed: err when the statement failed, else res.RowsAffected().
func RowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
