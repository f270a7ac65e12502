package sourceflow_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// The consumer group a dead letter names describes one dead-lettering, as
// its reason does: a message moved back from the dead-letter topic drops
// it when received, and is named again only if dead-lettered again.
func TestMetaDeadLetteredByIsAConsumeMarker(t *testing.T) {
	assert.True(t, sourceflow.IsConsumeMarker(sourceflow.MetaDeadLetteredBy), "one dead-lettering's marker, never sent on")
}
