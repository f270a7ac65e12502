package sqlbus

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// recordingPublisher keeps what it is given to publish.
type recordingPublisher struct{ got []*message.Message }

func (p *recordingPublisher) Publish(_ string, msgs ...*message.Message) error {
	p.got = append(p.got, msgs...)
	return nil
}

func (*recordingPublisher) Close() error { return nil }

// The dead letter of a row whose metadata column could not be read says
// so as its reason, before the consumer's error about what the lost
// metadata left out; other dead letters and messages keep theirs.
func TestPublishGivesTheDeadLetterOfABadRowItsCause(t *testing.T) {
	inner := &recordingPublisher{}
	pub := checkedPublisher{Publisher: inner}
	bad := message.NewMessage("bad-row", []byte(`{}`))
	bad.Metadata.Set(sqldb.MetaBadRow, "metadata column is not a JSON object of strings: json: cannot unmarshal number")
	bad.Metadata.Set(sourceflow.MetaFailure, `cqrs: invalid envelope: missing sf_type`)
	other := message.NewMessage("refused", []byte(`{}`))
	other.Metadata.Set(sourceflow.MetaFailure, "card declined")

	require.NoError(t, pub.Publish(DeadLetterTopic("orders"), bad, other))

	require.Len(t, inner.got, 2)
	assert.Equal(t, "the row's metadata column is not a JSON object of strings: json: cannot unmarshal number "+
		"(so the consumer refused it: cqrs: invalid envelope: missing sf_type)", inner.got[0].Metadata.Get(sourceflow.MetaFailure))
	assert.Equal(t, "card declined", inner.got[1].Metadata.Get(sourceflow.MetaFailure))
}
