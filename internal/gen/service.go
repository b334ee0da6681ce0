package main

import (
	"fmt"

	"github.com/kiricloud/kiri/internal/model"
)

// generateService generates one service package: its files by name.
func generateService(root, sdk string, sc ServiceConfig, all bool) (map[string][]byte, coverageRow, error) {
	mf, err := findModel(sdk, sc.Model)
	if err != nil {
		return nil, coverageRow{}, err
	}
	full, err := mf.load()
	if err != nil {
		return nil, coverageRow{}, err
	}
	d, err := mf.loadDocs()
	if err != nil {
		return nil, coverageRow{}, err
	}
	selected := sc.Operations
	if all {
		selected = full.OperationNames()
	}
	for _, op := range selected {
		if full.Operations[op] == nil {
			return nil, coverageRow{}, fmt.Errorf("operations.json selects %s, which model %s/%s does not have", op, sc.Model, mf.version)
		}
	}

	var old *model.API
	if sc.QueryModelVersion != "" {
		if old, err = loadQueryModel(root, sc); err != nil {
			return nil, coverageRow{}, err
		}
		copyErrorCodes(full, old)
	}
	patchModel(sc.Package, full)

	trimmed := trim(full, selected)
	files := map[string][]byte{}
	if files["model.json"], err = encodeChecked(trimmed); err != nil {
		return nil, coverageRow{}, err
	}
	if old != nil {
		// Overlay a private copy: the JSON model shares its shapes with
		// the full model, and those must stay as they are.
		q, err := model.Load(files["model.json"])
		if err != nil {
			return nil, coverageRow{}, err
		}
		overlayQuery(q, old)
		if files["query_model.json"], err = encodeChecked(q); err != nil {
			return nil, coverageRow{}, err
		}
	}

	p := newPkg(sc, mf.version, full, trimmed, d, selected)
	goFiles, err := p.files()
	if err != nil {
		return nil, coverageRow{}, err
	}
	for name, data := range goFiles {
		files[name] = data
	}
	for _, r := range p.ns.renamed {
		p.notes = append(p.notes, "renamed "+r)
	}
	row := coverageRow{pkg: sc.Package, model: sc.Model + "/" + mf.version, title: serviceTitle(full.Metadata),
		protocol: full.Metadata.Protocol, total: len(full.Operations), implemented: selected, notes: p.notes}
	return files, row, nil
}

// encodeChecked encodes a model and makes sure it loads back, so a model
// that the generated package would fail to parse never gets written.
func encodeChecked(api *model.API) ([]byte, error) {
	data, err := encodeModel(api)
	if err != nil {
		return nil, err
	}
	if _, err := model.Load(data); err != nil {
		return nil, fmt.Errorf("generated model does not load: %w", err)
	}
	return data, nil
}

func loadQueryModel(root string, sc ServiceConfig) (*model.API, error) {
	dir, err := moduleDir(root, sc.QueryModelVersion)
	if err != nil {
		return nil, err
	}
	mf, err := findModel(dir, sc.Model)
	if err != nil {
		return nil, err
	}
	old, err := mf.load()
	if err != nil {
		return nil, err
	}
	if old.Metadata.Protocol != "query" {
		return nil, fmt.Errorf("%s in aws-sdk-go %s speaks %s, not query", sc.Model, sc.QueryModelVersion, old.Metadata.Protocol)
	}
	return old, nil
}
