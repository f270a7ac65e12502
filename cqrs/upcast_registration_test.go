package cqrs_test

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// An upcaster that cannot apply is refused when the type is registered,
// naming what is wrong, and the type is not registered.
func TestUpcastMistakesAreRefusedAtRegistration(t *testing.T) {
	same := func(raw []byte) ([]byte, error) { return raw, nil }
	for _, tc := range []struct {
		name string
		opts []cqrs.RegisterOption
		want string
	}{
		{"negative version", []cqrs.RegisterOption{cqrs.PayloadVersion(-1)}, `"up.Place": PayloadVersion -1 is negative`},
		{"from the type's version", []cqrs.RegisterOption{cqrs.PayloadVersion(1), cqrs.Upcast(1, same)},
			`"up.Place": Upcast from version 1, outside 0 to its PayloadVersion 1 less one`},
		{"without a version", []cqrs.RegisterOption{cqrs.Upcast(0, same)}, `Upcast from version 0, outside 0 to its PayloadVersion 0 less one`},
		{"nil", []cqrs.RegisterOption{cqrs.PayloadVersion(1), cqrs.Upcast(0, nil)}, `Upcast from version 0 is nil`},
		{"twice", []cqrs.RegisterOption{cqrs.PayloadVersion(1), cqrs.Upcast(0, same), cqrs.Upcast(0, same)}, `Upcast from version 0 given twice`},
		{"not an alias", []cqrs.RegisterOption{cqrs.UpcastAlias("up.Other", same)}, `UpcastAlias "up.Other" is not one of its Aliases`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "shop"})
			require.NoError(t, err)
			err = cqrs.RegisterCommand[upPlace](svc, "up.Place", "up-places", tc.opts...)
			require.ErrorIs(t, err, cqrs.ErrInvalidRegistration)
			assert.Contains(t, err.Error(), tc.want)
			require.NoError(t, cqrs.RegisterCommand[upPlace](svc, "up.Place", "up-places"), "the refused registration left nothing behind")
		})
	}
}

// A payload version that is not a non-negative integer is a malformed
// envelope; one written is read back.
func TestMalformedPayloadVersionIsAnEnvelopeError(t *testing.T) {
	msg := message.NewMessage("m-1", nil)
	msg.Metadata.Set(sourceflow.MetaType, "up.Place")
	msg.Metadata.Set(sourceflow.MetaPayloadVersion, "v2")
	_, err := cqrs.EnvelopeOf(msg)
	require.ErrorIs(t, err, cqrs.ErrEnvelope)
	assert.Contains(t, err.Error(), "sf_pver")

	msg = message.NewMessage("m-1", nil)
	cqrs.Envelope{Type: "up.Place", MessageID: "m-1", PayloadVersion: 2}.WriteTo(msg)
	env, err := cqrs.EnvelopeOf(msg)
	require.NoError(t, err)
	assert.Equal(t, 2, env.PayloadVersion)
}
