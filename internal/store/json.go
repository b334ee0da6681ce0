package store

import (
	"encoding/json"
	"fmt"
)

// GetJSON decodes the JSON value stored at key into v. It reports false,
// leaving v untouched, when the key is absent.
func GetJSON(tx Tx, key []byte, v any) (bool, error) {
	data, ok := tx.Get(key)
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("store: decode %q: %w", key, err)
	}
	return true, nil
}

// PutJSON stores v, encoded as JSON, at key.
func PutJSON(tx Tx, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %q: %w", key, err)
	}
	return tx.Put(key, data)
}
