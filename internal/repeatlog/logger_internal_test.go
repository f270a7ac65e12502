package repeatlog

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
)

// Cleared drops the rows it ended: a Logger keeps no row for a message
// once its condition cleared, so messages that differ from one condition
// to the next (an error's text) do not pile up.
func TestLogger_ClearedDropsTheRowsItEnded(t *testing.T) {
	l := NewLogger(watermill.NopLogger{}, time.Minute)
	for i := range 100 {
		l.Error(fmt.Sprintf("poll %d failed", i), errors.New("down"), nil)
		l.Cleared()
	}

	l.rows.mu.Lock()
	defer l.rows.mu.Unlock()
	assert.Empty(t, l.rows.byMsg)
}
