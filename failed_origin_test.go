package sourceflow_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// Where a handler failed describes one dead-lettering, as its reason
// does: a message moved back from a dead-letter store drops it when
// received, and is named again only if it fails again.
func TestFailedOriginKeysAreConsumeMarkers(t *testing.T) {
	for _, key := range []string{sourceflow.MetaFailedHost, sourceflow.MetaFailedVersion} {
		assert.True(t, sourceflow.IsConsumeMarker(key), key)
		assert.False(t, sourceflow.IsReserved(key), "%s is no envelope key a sender sets", key)
	}
}
