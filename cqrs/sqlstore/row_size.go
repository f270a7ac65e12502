package sqlstore

import (
	"context"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// checkRow returns ErrTooLarge, permanent, when a row of n bytes would not
// fit in the MySQL server's max_allowed_packet: the server refuses such a
// statement on every try, at times with nothing but "driver: bad
// connection". n counts a value as the driver writes it when it
// interpolates parameters (sqldb.EscapedLen). The limit is read once, through the transaction ctx carries
// when there is one. Other dialects take rows far larger than a message.
func (c conn) checkRow(ctx context.Context, n int) error {
	if c.dialect != sqldb.MySQL {
		return nil
	}
	ex, err := c.exec(ctx)
	if err != nil {
		return err
	}
	limit, err := c.packet.Bytes(ctx, ex)
	if err != nil {
		return err
	}
	if err := sqldb.CheckPacket(n, limit); err != nil {
		return sourceflow.Permanent(fmt.Errorf("%w: %w", ErrTooLarge, err))
	}
	return nil
}
