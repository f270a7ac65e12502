package sourceflow_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// IsLastDelivery answers for the delivery whichever way its transport
// said it is the last: on its markers when it was handed out
// (MetaLastDelivery, either value), or through its context once it
// became the last (ContextWithLastDelivery).
func TestIsLastDeliveryReadsTheMarkerAndTheContext(t *testing.T) {
	became := false
	becoming := sourceflow.ContextWithLastDelivery(context.Background(), func() bool { return became })
	for _, tc := range []struct {
		name string
		ctx  context.Context
		md   map[string]string
		want bool
	}{
		{"not the last", context.Background(), map[string]string{}, false},
		{"marked the last", context.Background(), map[string]string{sourceflow.MetaLastDelivery: sourceflow.LastDelivery}, true},
		{"marked the last unless held elsewhere", context.Background(),
			map[string]string{sourceflow.MetaLastDelivery: sourceflow.LastDeliveryUnlessInProgress}, true},
		{"an unknown marker value", context.Background(), map[string]string{sourceflow.MetaLastDelivery: "maybe"}, false},
		{"without metadata", context.Background(), nil, false},
		{"not yet become the last", becoming, map[string]string{}, false},
	} {
		assert.Equal(t, tc.want, sourceflow.IsLastDelivery(tc.ctx, tc.md), tc.name)
	}
	became = true
	assert.True(t, sourceflow.IsLastDelivery(becoming, map[string]string{}), "become the last")
	assert.True(t, sourceflow.IsLastDelivery(becoming, nil), "become the last, without metadata")
}
