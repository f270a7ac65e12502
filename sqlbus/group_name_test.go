package sqlbus_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// A listening service whose name, its consumer group, the consumer_group
// column (VARCHAR(255)) cannot hold fails to start with ErrInvalidConfig
// naming ServiceConfig.Name and why, before any statement reaches the
// database; a name of 255 characters, multi-byte ones included, is taken.
func TestStartRefusesAServiceNameTheGroupColumnCannotHold(t *testing.T) {
	for _, tt := range []struct{ name, service, problem string }{
		{"256 characters", strings.Repeat("s", 256), "is 256 characters, longer than the 255 the consumer_group column holds"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &sqldbtest.DB{}
			svc := listeningService(t, f, sourceflow.Postgres, tt.service)
			err := svc.Start(context.Background())
			require.ErrorIs(t, err, sqlbus.ErrInvalidConfig)
			assert.ErrorContains(t, err, "sqlbus: invalid configuration: cqrs.ServiceConfig.Name (the service's consumer group) "+tt.problem)
			assert.Empty(t, f.Ran(""), "statements run before the name was refused")
		})
	}
	// A name with a NUL byte, not valid UTF-8 or with white space at its
	// start or end (which MySQL ignores when it compares text: "billing "
	// would share billing's consumer group) never reaches the transport:
	// cqrs.NewService refuses it, naming the field.
	for _, name := range []string{"bill\x00ing", "bill\xffing", "billing ", " billing"} {
		_, err := cqrs.NewService(cqrs.ServiceConfig{Name: name, Listen: []string{"orders"}})
		assert.ErrorContains(t, err, "cqrs: ServiceConfig.Name ", "%q", name)
	}
	t.Run("255 characters", func(t *testing.T) {
		f := &sqldbtest.DB{}
		svc := listeningService(t, f, sourceflow.Postgres, strings.Repeat("é", 255))
		require.NoError(t, svc.Start(context.Background()))
		require.NoError(t, svc.Close())
	})
}

// On MySQL the consumer_group column is VARBINARY(767): a name of at most
// 255 characters whose UTF-8 bytes outnumber 767 (four-byte characters,
// as some emoji are) is refused before any statement too, naming the
// bytes; one of 767 bytes is taken.
func TestStartRefusesAServiceNameTheMySQLGroupColumnCannotHold(t *testing.T) {
	f := &sqldbtest.DB{}
	svc := listeningService(t, f, sourceflow.MySQL, strings.Repeat("\U0001F600", 192)) // 768 bytes
	err := svc.Start(context.Background())
	require.ErrorIs(t, err, sqlbus.ErrInvalidConfig)
	assert.ErrorContains(t, err, "cqrs.ServiceConfig.Name (the service's consumer group) is 768 bytes in UTF-8, "+
		"longer than the 767 the consumer_group column (VARBINARY(767)) holds on MySQL")
	assert.Empty(t, f.Ran(""), "statements run before the name was refused")

	fits := &sqldbtest.DB{}
	svc = listeningService(t, fits, sourceflow.MySQL, strings.Repeat("\U0001F600", 191)+"abc") // 767 bytes
	require.NoError(t, svc.Start(context.Background()))
	require.NoError(t, svc.Close())
}

// listeningService returns a service named name on an sqlbus transport of
// dialect d on f, listening to one destination; it is not started.
func listeningService(t *testing.T, f *sqldbtest.DB, d sourceflow.Dialect, name string) *cqrs.Service {
	t.Helper()
	tr, err := sqlbus.NewTransport(sqlbus.Config{DB: f.Open(t), Dialect: d})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: name, Transport: tr, Listen: []string{"orders"}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	type placeOrder struct{}
	type order struct{}
	require.NoError(t, cqrs.RegisterCommand[placeOrder](svc, "orders.PlaceOrder", "orders"))
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[order](svc, "order"), func(context.Context, *order, placeOrder, cqrs.Envelope) ([]any, error) {
		return nil, nil
	}))
	return svc
}
