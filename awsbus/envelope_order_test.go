package awsbus_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// TestUnpackAttributesNamesFirstForbiddenKeyInNameOrder checks that an
// envelope holding several keys it never carries is refused by the first of
// them in name order, whatever order the map yields them in.
func TestUnpackAttributesNamesFirstForbiddenKeyInNameOrder(t *testing.T) {
	env, err := json.Marshal(map[string]string{
		"zz": "1", "aa": "2", sourceflow.MetaType: "t", "mm": "3", "ok": "4",
	})
	require.NoError(t, err)
	attrs := map[string]string{sourceflow.MetaEnvelope: string(env), "zz": "x", "aa": "y", "mm": "z"}
	for range 20 {
		md, uuid, err := awsbus.UnpackAttributes(attrs, "fallback")
		require.ErrorIs(t, err, awsbus.ErrMalformedMessage)
		assert.Contains(t, err.Error(), `holds the key "aa", which is also an attribute of the message`)
		assert.Equal(t, "fallback", uuid)
		assert.Equal(t, map[string]string{"zz": "x", "aa": "y", "mm": "z"}, md)
	}
}
