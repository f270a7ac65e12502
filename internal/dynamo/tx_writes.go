package dynamo

import (
	"maps"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// write is one collected write, the item it writes and the error a
// failure of its condition means.
type write struct {
	item   types.TransactWriteItem
	target string
	failed error
}

// Add collects a write of the item with key in table. failed is the error
// the caller sees when the write's condition fails at commit. A later
// write of the same item replaces the earlier one: a handler that ran again
// (a retry inside the handling) collects its writes again.
func (tx *Tx) Add(table string, key map[string]types.AttributeValue, item types.TransactWriteItem, failed error) error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	return tx.add(write{item: item, target: target(table, key), failed: failed}, false)
}

// Write is one write for AddAll: the item with Key in Table, and the error
// the caller sees when its condition fails at commit.
type Write struct {
	Table  string
	Key    map[string]types.AttributeValue
	Item   types.TransactWriteItem
	Failed error
}

// AddAll collects ws as Add does, all of them or none: writes that must
// commit together (a row and its marker) are never split by the seal, nor
// by MaxTxItems.
func (tx *Tx) AddAll(ws ...Write) error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if tx.ended {
		return ErrTxEnded
	}
	kept := tx.writes
	tx.writes = slices.Clone(kept) // collect deletes in place
	for _, w := range ws {
		if err := tx.collect(write{item: w.Item, target: target(w.Table, w.Key), failed: w.Failed}, false); err != nil {
			tx.writes = kept
			return err
		}
	}
	return nil
}

// add collects w, first or last, unless the transaction is sealed; with
// tx.mu held.
func (tx *Tx) add(w write, first bool) error {
	if tx.ended {
		return ErrTxEnded
	}
	return tx.collect(w, first)
}

// collect collects w, first or last; with tx.mu held.
func (tx *Tx) collect(w write, first bool) error {
	if i := slices.IndexFunc(tx.writes, func(o write) bool { return o.target == w.target }); i >= 0 {
		tx.writes = slices.Delete(tx.writes, i, i+1)
	}
	if len(tx.writes) >= MaxTxItems {
		return ErrTxTooLarge
	}
	if first {
		tx.writes = slices.Insert(tx.writes, 0, w)
	} else {
		tx.writes = append(tx.writes, w)
	}
	return nil
}

// target names an item: its table and its key's names and values, in key
// order, each part preceded by its length, so that no two keys name one
// target whatever characters (NUL included) their values hold.
func target(table string, key map[string]types.AttributeValue) string {
	b := appendPart(nil, table)
	for _, n := range slices.Sorted(maps.Keys(key)) {
		b = appendPart(b, n)
		switch v := key[n].(type) {
		case *types.AttributeValueMemberS:
			b = appendPart(append(b, 'S'), v.Value)
		case *types.AttributeValueMemberN:
			b = appendPart(append(b, 'N'), v.Value)
		case *types.AttributeValueMemberB:
			b = appendPart(append(b, 'B'), string(v.Value))
		}
	}
	return string(b)
}

// appendPart appends s to b after its length.
func appendPart(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	return append(append(b, ':'), s...)
}

// AddFirst collects a write ahead of the others: when several conditions
// fail at commit, its failure is the one reported. A store uses it for the
// write whose failure explains the others' (a counter another writer moved
// on, which makes the numbers taken from it collide).
func (tx *Tx) AddFirst(table string, key map[string]types.AttributeValue, item types.TransactWriteItem, failed error) error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	return tx.add(write{item: item, target: target(table, key), failed: failed}, true)
}
