package sqldb

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
)

// TestRefusedLogin: the refusals of a DSN's user, password or database are
// told apart from the failures a retry may end: no answer, too many
// connections, a server starting up.
func TestRefusedLogin(t *testing.T) {
	pg := func(code string) error {
		return fmt.Errorf("failed to connect: %w", &pgconn.PgError{Severity: "FATAL", Code: code})
	}
	my := func(n uint16) error { return &mysql.MySQLError{Number: n} }
	refused := map[string]error{
		"pg invalid_password": pg("28P01"), "pg invalid_authorization": pg("28000"),
		"pg invalid_catalog_name": pg("3D000"), "pg no CONNECT privilege": pg("42501"),
		"mysql 1044": my(1044), "mysql 1045": my(1045), "mysql 1049": my(1049), "mysql 1698": my(1698),
	}
	passing := map[string]error{
		"pg too_many_connections": pg("53300"), "pg cannot_connect_now": pg("57P03"),
		"pg admin_shutdown": pg("57P01"), "mysql 1040 too many connections": my(1040),
		"timeout": context.DeadlineExceeded, "network": errors.New("dial tcp: connection refused"),
	}
	for name, err := range refused {
		assert.True(t, refusedLogin(err), name)
	}
	for name, err := range passing {
		assert.False(t, refusedLogin(err), name)
	}
}

// TestRefusedLogin_EveryTryRefused: pgx joins the failures of its tries of
// each host (and of TLS, then none), going on after a 28000: one host's
// refusal while another did not answer is not a refusal of the DSN, which
// the other may accept once it answers.
func TestRefusedLogin_EveryTryRefused(t *testing.T) {
	pg := func(code string) error {
		return fmt.Errorf("127.0.0.1:5432 (h1): server error: %w", &pgconn.PgError{Severity: "FATAL", Code: code})
	}
	dial := fmt.Errorf("127.0.0.1:5433 (h2): dial error: %w", errors.New("connection refused"))
	assert.False(t, refusedLogin(fmt.Errorf("failed to connect: %w", errors.Join(pg("28000"), dial))),
		"one host refused, another did not answer")
	assert.False(t, refusedLogin(fmt.Errorf("failed to connect: %w", errors.Join(pg("28000"), pg("57P03")))),
		"one try refused, the other met a server starting up")
	assert.True(t, refusedLogin(fmt.Errorf("failed to connect: %w", errors.Join(pg("28000"), pg("28000")))),
		"every try refused")
	assert.False(t, refusedLogin(errors.Join()), "no error")
}
