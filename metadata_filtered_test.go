package sourceflow_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// The filtered mark describes one delivery, as the duplicate mark does:
// transports never send it on.
func TestMetaFilteredIsAConsumeMarker(t *testing.T) {
	assert.True(t, sourceflow.IsConsumeMarker(sourceflow.MetaFiltered), "one delivery's marker, never sent on")
}
