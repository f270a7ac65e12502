package sqldb_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// TestMaxIdleConns: a quarter of MaxOpenConns, at least one.
func TestMaxIdleConns(t *testing.T) {
	for open, idle := range map[int]int{1: 1, 2: 1, 4: 1, 8: 2, 16: 4, 100: 25} {
		assert.Equal(t, idle, sqldb.MaxIdleConns(open), "MaxOpenConns %d", open)
	}
}
