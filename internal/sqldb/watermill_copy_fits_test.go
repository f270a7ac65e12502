package sqldb_test

import (
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// TestServerCopyFitsCountsTheMetadataNotThePayload: the copy sends the
// message's metadata, not its payload.
func TestServerCopyFitsCountsTheMetadataNotThePayload(t *testing.T) {
	const limit = 4096
	m := message.NewMessage("m-1", []byte(strings.Repeat("p", 2*limit)))
	assert.NoError(t, sqldb.ServerCopyFits(m, limit), "a payload over the limit is not sent")
	m.Metadata.Set("reason", strings.Repeat("r", limit))
	assert.Error(t, sqldb.ServerCopyFits(m, limit), "metadata over the limit is sent")
	assert.NoError(t, sqldb.ServerCopyFits(m, 0), "no limit")
}
