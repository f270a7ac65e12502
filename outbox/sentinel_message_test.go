package outbox_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// An unsupported dialect and an invalid topic are problems of an invalid
// configuration, whose error names this package once, and still match
// their sentinels.
func TestConfigSentinelsNameThePackageOnce(t *testing.T) {
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	err = outbox.Config{DB: new(sqldbtest.DB).Open(t), Dialect: "oracle", Transport: inner, Topic: "bad-"}.Validate()
	require.ErrorIs(t, err, outbox.ErrUnsupportedDialect)
	require.ErrorIs(t, err, outbox.ErrInvalidTopic)
	sqldbtest.NamesPackageOnce(t, "outbox", err)
}
