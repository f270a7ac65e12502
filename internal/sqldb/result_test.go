package sqldb_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// result is a sql.Result with fixed answers.
type result struct {
	rows int64
	err  error
}

func (r result) LastInsertId() (int64, error) { return 0, errors.New("not supported") }
func (r result) RowsAffected() (int64, error) { return r.rows, r.err }

func TestRowsAffected(t *testing.T) {
	n, err := sqldb.RowsAffected(result{rows: 3}, nil)
	assert.NoError(t, err)
	assert.Equal(t, int64(3), n)

	failed := errors.New("statement failed")
	_, err = sqldb.RowsAffected(nil, failed)
	assert.ErrorIs(t, err, failed, "the statement's error, res not consulted")

	unknown := errors.New("driver does not count rows")
	_, err = sqldb.RowsAffected(result{err: unknown}, nil)
	assert.ErrorIs(t, err, unknown)
}
