package sqldb

import (
	"crypto/tls"
	"crypto/x509"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A pgx connection in TLS leaves the server unverified when its config
// skips the check without a callback standing in for it (sslmode=prefer,
// pgx's default, allow and require), unless Go verified a chain anyway.
func TestUnverifiedTLSOfAPgxConnection(t *testing.T) {
	verified := tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{{}}}}
	for _, tt := range []struct {
		dsn        string
		state      tls.ConnectionState
		unverified bool
	}{
		{"host=db.example", tls.ConnectionState{}, true},
		{"host=db.example sslmode=prefer", tls.ConnectionState{}, true},
		{"host=db.example sslmode=allow", tls.ConnectionState{}, true},
		{"host=db.example sslmode=require", tls.ConnectionState{}, true},
		{"host=db.example,db2.example sslmode=require", tls.ConnectionState{}, true},
		{"host=db.example sslmode=verify-ca", tls.ConnectionState{}, false},
		{"host=db.example sslmode=verify-full", verified, false},
		{"host=db.example sslmode=disable", tls.ConnectionState{}, false},
		{"host=db.example sslmode=prefer", verified, false},
	} {
		cfg, err := pgconn.ParseConfig(tt.dsn)
		require.NoError(t, err)
		assert.Equal(t, tt.unverified, unverifiedTLS(tt.state, cfg), "%s", tt.dsn)
	}
}
