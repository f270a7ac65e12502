package sqldb

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
)

// ServerCopyQuery returns the MySQL statement that writes m into table to
// (quoted; watermill-sql's columns uuid, payload and metadata) from a row
// of table from (quoted; with uuid and payload columns) holding m's id and
// payload, with m's metadata given as a parameter: the payload never
// crosses the wire, so a message stored while the server's
// max_allowed_packet was larger (the limit lowered since, or a fail-over
// to a server configured otherwise) can still be dead-lettered, where an
// INSERT of its values would be refused (the server resets the
// connection). The row is found by its id and the SHA-256 of its payload:
// any row matching both holds the same message, so LIMIT 1 picks one
// without an index, reading the payload of the rows with m's id only. The
// statement writes no row when none matches (RowsAffected 0).
func ServerCopyQuery(from, to string, m *message.Message) (wsql.Query, error) {
	md, err := json.Marshal(m.Metadata)
	if err != nil {
		return wsql.Query{}, fmt.Errorf("its metadata does not encode: %w", err)
	}
	sum := sha256.Sum256(m.Payload)
	return wsql.Query{
		Query: "INSERT INTO " + to + " (`uuid`, `payload`, `metadata`) SELECT `uuid`, `payload`, ? FROM " + from +
			" WHERE `uuid` = ? AND SHA2(`payload`, 256) = ? LIMIT 1",
		Args: []any{string(md), m.UUID, hex.EncodeToString(sum[:])},
	}, nil
}

// ServerCopyFits reports why the statement ServerCopyQuery returns for m
// is larger than limit bytes (0: no limit), or nil when it fits. Its
// parameters are m's id, its metadata and the SHA-256 of its payload: the
// payload is not sent, so a dead letter over the limit is copied when its
// metadata alone fits. Its text, table names included, is within
// StatementOverheadBytes.
func ServerCopyFits(m *message.Message, limit int) error {
	if limit <= 0 {
		return nil
	}
	md, err := json.Marshal(m.Metadata)
	if err != nil {
		return fmt.Errorf("its metadata does not encode: %w", err)
	}
	if err := CheckPacket(EscapedLen(m.UUID)+EscapedLen(md)+2*sha256.Size, limit); err != nil {
		return fmt.Errorf("%w, copied on the server (metadata %d bytes)", err, len(md))
	}
	return nil
}
