package sqldb

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A MySQL or MariaDB server that refuses the DSN's account or connection
// (a host the account may not connect from, a host it blocked after many
// connection errors, a connection without TLS, an expired password, a
// locked account) answered, and answers the same on
// every try: Open reports it as ErrInvalidConfig naming the cause and what
// to change, not as ErrUnreachable, which tells the operator the database
// is down.
func TestPingFailed_AccessRefusalsAreInvalidConfigNamingTheirRemedy(t *testing.T) {
	cfg := Config{Dialect: MySQL, DSN: "app:secret@tcp(db.example:3306)/orders", ConnectTimeout: DefaultConnectTimeout}
	for number, want := range map[uint16][]string{
		1130: {"does not let the DSN's user connect from this client's host", "CREATE USER or GRANT"},
		1129: {"blocks this client's host after too many connection errors", "FLUSH HOSTS", "max_connect_errors"},
		3159: {"requires a secure connection", "tls=true"},
		1862: {"the DSN's user's password has expired", "set a new password"},
		1820: {"the DSN's user's password has expired", "set a new password"}, // connected to set one
		3118: {"the DSN's user's account is locked", "ACCOUNT UNLOCK"},
		4151: {"the DSN's user's account is locked", "ACCOUNT UNLOCK"}, // MariaDB's number
	} {
		t.Run(fmt.Sprint(number), func(t *testing.T) {
			refused := fmt.Errorf("ping: %w", &mysql.MySQLError{Number: number, Message: "refused"})

			err := connFailed(cfg.Dialect, cfg.DSN, cfg.ConnectTimeout.String(), refused)

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

	err := connFailed(cfg.Dialect, cfg.DSN, cfg.ConnectTimeout.String(), &mysql.MySQLError{Number: 1040, Message: "Too many connections"})

	require.ErrorIs(t, err, ErrUnreachable)
	assert.NotErrorIs(t, err, ErrInvalidConfig)
}

// MariaDB refuses a connection without TLS that the account (REQUIRE SSL)
// or the server (require_secure_transport) requires as it refuses a wrong
// password (1045): when the DSN asks for no TLS, the error says that it
// may be the cause; when it does, it does not.
func TestPingFailed_AccessDeniedWithoutTLSNamesTLS(t *testing.T) {
	denied := &mysql.MySQLError{Number: 1045, Message: "Access denied for user 'app'@'10.0.0.1' (using password: YES)"}
	for dsn, hinted := range map[string]bool{
		"app:secret@tcp(db.example:3306)/orders":           true,
		"app:secret@tcp(db.example:3306)/orders?tls=false": true,
		"app:secret@tcp(db.example:3306)/orders?tls=true":  false,
	} {
		t.Run(dsn, func(t *testing.T) {
			err := connFailed(MySQL, dsn, DefaultConnectTimeout.String(), denied)

			require.ErrorIs(t, err, ErrInvalidConfig)
			assert.Contains(t, err.Error(), "refused the DSN's user, password or database")
			assert.Equal(t, hinted, strings.Contains(err.Error(), "or a connection without TLS: set tls=true"), err.Error())
		})
	}
}
