package cqrs_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A stored saga state or view model that no longer decodes because a JSON
// value has the wrong type (a field changed from a string to an int) names
// the value's kind only, as a payload's decoding error does: the stored
// value, a card number or an amount, stays out of the error, its
// dead-letter reason and the logs. errors.As still reaches the codec's
// error.
func TestStoredStateDecodeErrorsKeepValuesOut(t *testing.T) {
	const secret = "4111111111111111"
	docs := cqrs.NewMemoryStore()
	app := newOrderApp(t, cqrs.ServiceConfig{EntityStore: docs, ViewStore: docs})
	app.start(t)
	ctx := context.Background()
	state := base64.StdEncoding.EncodeToString([]byte(`{"amount":` + secret + `.5}`))
	require.NoError(t, docs.Save(ctx, "order", "o-saga", []byte(`{"state":"`+state+`"}`), 0))
	require.NoError(t, docs.Save(ctx, "order-summary", "o-view", []byte(`{"amount":`+secret+`.5}`), 0))

	_, _, sagaErr := app.orders.Load(ctx, "o-saga")
	_, _, viewErr := app.view.Get(ctx, "o-view")
	for name, err := range map[string]error{"saga": sagaErr, "view": viewErr} {
		require.Error(t, err, name)
		assert.True(t, sourceflow.IsPermanent(err), name)
		assert.NotContains(t, err.Error(), secret, name)
		assert.Contains(t, err.Error(), "cannot unmarshal number into field", name)
		var typeErr *json.UnmarshalTypeError
		assert.ErrorAs(t, err, &typeErr, name)
	}

	_, err := app.agg.Send(ctx, "o-saga", CreateOrder{Amount: 1})
	require.NoError(t, err, "the sender is not hurt")
	dead := app.transport.DeadLetters()
	require.NotEmpty(t, dead)
	assert.Contains(t, dead[0].Reason, `saga order "o-saga": stored state does not decode`)
	assert.NotContains(t, dead[0].Reason, secret)
}
