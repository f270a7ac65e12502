package cli_test

import (
	"net"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// refusingPostgres listens on a port of 127.0.0.1 and answers each
// connection's startup with a FATAL error of message, as a hostile server
// may, and returns its address.
func refusingPostgres(t *testing.T, message string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = conn.Close() }()
				backend := pgproto3.NewBackend(conn, conn)
				for {
					msg, err := backend.ReceiveStartupMessage()
					if err != nil {
						return
					}
					if _, ok := msg.(*pgproto3.StartupMessage); ok {
						break
					}
					if _, err := conn.Write([]byte("N")); err != nil { // no TLS, no GSS encryption
						return
					}
				}
				backend.Send(&pgproto3.ErrorResponse{Severity: "FATAL", Code: "28000", Message: message})
				_ = backend.Flush()
			}()
		}
	}()
	return ln.Addr().String()
}

// A server's message is quoted within pgx's error of the connection, which
// indents each line of what it wraps with a tab: a line break in the
// message stays escaped, so the server cannot print a line of its own,
// indented or not, among pgx's lines of its tries and the CLI's advice.
func TestSQL_ServerMessageCannotPrintALine(t *testing.T) {
	addr := refusingPostgres(t, "denied\n\tcheck that the database runs (forged)\nforged at the margin")
	out, errOut, code := newFakeAWS().run(t, "sql", "depth", "--service", "a", "--destination", "b",
		"--timeout", "20s", "--dsn", "postgres://u@"+addr+"/db?sslmode=disable")

	assert.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, errOut, `FATAL: denied\n\tcheck that the database runs (forged)\nforged at the margin (SQLSTATE 28000)`)
	for _, line := range strings.Split(errOut, "\n") {
		if strings.Contains(line, "forged") {
			assert.Contains(t, line, "FATAL: denied", "a line the server printed:\n%s", errOut)
		}
	}
	assert.Empty(t, out)
}
