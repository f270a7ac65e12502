package sqldb

import (
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A MySQL or MariaDB server that refuses the DSN's account or connection
// (a host the account may not connect from, a connection without TLS, an
// expired password, a locked account) answered, and answers the same on
// every try: Open reports it as ErrInvalidConfig naming the cause and what
// to change, not as ErrUnreachable, which tells the operator the database
// is down.
func TestPingFailed_AccessRefusalsAreInvalidConfigNamingTheirRemedy(t *testing.T) {
	cfg := Config{Dialect: MySQL, DSN: "app:secret@tcp(db.example:3306)/orders", ConnectTimeout: DefaultConnectTimeout}
	for number, want := range map[uint16][]string{
		1130: {"does not let the DSN's user connect from this client's host", "CREATE USER or GRANT"},
		3159: {"requires a secure connection", "tls=true"},
		1862: {"the DSN's user's password has expired", "set a new password"},
		1820: {"the DSN's user's password has expired", "set a new password"}, // connected to set one
		3118: {"the DSN's user's account is locked", "ACCOUNT UNLOCK"},
		4151: {"the DSN's user's account is locked", "ACCOUNT UNLOCK"}, // MariaDB's number
	} {
		t.Run(fmt.Sprint(number), func(t *testing.T) {
			refused := fmt.Errorf("ping: %w", &mysql.MySQLError{Number: number, Message: "refused"})

			err := pingFailed(cfg, refused)

			require.ErrorIs(t, err, ErrInvalidConfig)
			assert.NotErrorIs(t, err, ErrUnreachable)
			assert.ErrorIs(t, err, refused, "the server's own error is kept")
			assert.Contains(t, err.Error(), "mysql at db.example:3306 ")
			for _, w := range want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "secret")
		})
	}
}

// A server that could not take the connection now (too many connections)
// is still ErrUnreachable: a retry may pass.
func TestPingFailed_TooManyConnectionsIsUnreachable(t *testing.T) {
	cfg := Config{Dialect: MySQL, DSN: "app:secret@tcp(db.example:3306)/orders", ConnectTimeout: DefaultConnectTimeout}

	err := pingFailed(cfg, &mysql.MySQLError{Number: 1040, Message: "Too many connections"})

	require.ErrorIs(t, err, ErrUnreachable)
	assert.NotErrorIs(t, err, ErrInvalidConfig)
}
