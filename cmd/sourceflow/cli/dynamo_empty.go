package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// maxNameScan is how many items of the outbox table a note of an outbox
// holding no item reads at most (one Scan), for the names of the outboxes
// the table holds.
const maxNameScan = 1_000

// maxNamesShown is how many of those names the note shows.
const maxNamesShown = 20

// noteIfEmpty writes the note of noteEmpty when the outbox holds no item,
// as its Depths say; it writes nothing when they fail.
func (c *dynamoConn) noteIfEmpty(ctx context.Context, w io.Writer) {
	depths, err := c.outbox.Depths(ctx)
	if err != nil {
		return
	}
	for _, d := range depths {
		if d.Waiting > 0 || d.DeadLetters > 0 {
			return
		}
	}
	c.noteEmpty(ctx, w)
}

// noteEmpty writes to w that the outbox holds no item, which a misspelt
// --outbox and an outbox that relayed everything have alike, with the
// outboxes the table holds items of.
func (c *dynamoConn) noteEmpty(ctx context.Context, w io.Writer) {
	fmt.Fprintf(w, "note: outbox %s holds no item in %s: no message waits and no dead letter is kept under that "+
		"name. An outbox that relayed everything holds none either; otherwise check --outbox (its OutboxConfig.Name, "+
		"which is case-sensitive): %s.\n", printable(c.f.outbox), c.where(), c.tableOutboxes(ctx))
}

// tableOutboxes says which outboxes the table holds items of, among its
// first maxNameScan items.
func (c *dynamoConn) tableOutboxes(ctx context.Context) string {
	out, err := c.api.Scan(ctx, &dynamodb.ScanInput{
		TableName: aws.String(c.f.tablePrefix + "outbox"), Limit: aws.Int32(maxNameScan),
		ProjectionExpression: aws.String("#pk"), ExpressionAttributeNames: map[string]string{"#pk": "pk"},
	})
	if err != nil {
		return fmt.Sprintf("the outboxes the table holds could not be listed (dynamodb:Scan): %s", printable(err.Error()))
	}
	names := outboxNames(out.Items)
	among := ""
	if out.LastEvaluatedKey != nil {
		among = fmt.Sprintf(" among its first %d items", len(out.Items))
	}
	switch {
	case len(names) == 0:
		return "the table holds no outbox's item" + among
	case len(names) > maxNamesShown:
		names = append(names[:maxNamesShown], "…")
	}
	shown := make([]string, len(names))
	for i, n := range names {
		shown[i] = printable(n)
	}
	return fmt.Sprintf("the table holds items of %s %s%s", agree(len(names), "outbox", "outboxes"), strings.Join(shown, ", "), among)
}

// outboxNames are the names of the outboxes items belong to, sorted: an
// item's partition key is its outbox's name, "#" and its shard, and
// "#dead" for a dead letter (dynamoDeadSuffix).
func outboxNames(items []map[string]types.AttributeValue) []string {
	var names []string
	for _, it := range items {
		pk, ok := it["pk"].(*types.AttributeValueMemberS)
		if !ok {
			continue
		}
		name, shard, found := cutLast(strings.TrimSuffix(pk.Value, dynamoDeadSuffix), "#")
		if found && shard != "" && strings.Trim(shard, "0123456789") == "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// cutLast slices s around the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
