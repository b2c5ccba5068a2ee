package sqlcore

// queries holds every statement of the store, written once with ? and
// rebound to the dialect's placeholders when a Store is made.
type queries struct {
	revision, bumpRevision, notify string

	taxonomy, taxonomySince, putTaxonomy string

	heads, head, headForUpdate, headsSince string
	version, versions                      string
	insertHead, insertVersion, updateHead  string

	templates, template, templateForUpdate, templatesSince       string
	createTemplate, seedTemplate, updateTemplate, deleteTemplate string

	secret, createSecret string
}

// headColumns select a question's head joined to its current version;
// headScan reads them.
const headColumns = `q.id, q.version, q.state, q.etag, q.create_time, q.update_time, v.content, v.author, v.change_note`

const headFrom = ` FROM questions q JOIN question_versions v ON v.question_id = q.id AND v.version = q.version`

// versionColumns select a head and one of its versions; scanVersion reads
// them. With a LEFT JOIN a missing version reads as version 0.
const versionColumns = `q.id, q.version, q.state, q.etag, q.create_time, q.update_time,
	COALESCE(v.version, 0), v.content, COALESCE(v.author, ''), COALESCE(v.change_note, ''), COALESCE(v.create_time, q.create_time)`

const templateColumns = `id, body, etag, create_time, update_time`

func buildQueries(d Dialect) queries {
	lockHead, lockRow := "", ""
	if d.RowLocks {
		lockHead, lockRow = " FOR UPDATE OF q", " FOR UPDATE"
	}
	r := d.Placeholders.Rebind
	q := queries{
		revision:     r(`SELECT revision FROM bank_meta WHERE id = 1`),
		bumpRevision: r(`UPDATE bank_meta SET revision = revision + 1 WHERE id = 1 RETURNING revision`),
		notify:       r(d.Notify),

		taxonomy:      r(`SELECT body FROM taxonomy WHERE id = 1`),
		taxonomySince: r(`SELECT body FROM taxonomy WHERE id = 1 AND revision > ?`),
		putTaxonomy: r(`INSERT INTO taxonomy (id, body, revision) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET body = excluded.body, revision = excluded.revision`),

		heads:         r(`SELECT ` + headColumns + headFrom + ` ORDER BY q.id`),
		head:          r(`SELECT ` + headColumns + headFrom + ` WHERE q.id = ?`),
		headForUpdate: r(`SELECT ` + headColumns + headFrom + ` WHERE q.id = ?` + lockHead),
		headsSince:    r(`SELECT ` + headColumns + headFrom + ` WHERE q.revision > ? ORDER BY q.id`),
		// One statement answers a pinned read: the head (for its state,
		// create time and etag) and the version asked for, if it exists.
		version: r(`SELECT ` + versionColumns + `
			FROM questions q LEFT JOIN question_versions v ON v.question_id = q.id AND v.version = ?
			WHERE q.id = ?`),
		versions: r(`SELECT ` + versionColumns + `
			FROM questions q JOIN question_versions v ON v.question_id = q.id
			WHERE q.id = ? ORDER BY v.version DESC`),
		insertHead: r(`INSERT INTO questions (id, version, state, etag, revision, create_time, update_time)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
		insertVersion: r(`INSERT INTO question_versions (question_id, version, content, author, change_note, create_time)
			VALUES (?, ?, ?, ?, ?, ?)`),
		// The etag in WHERE makes the write a compare-and-swap even if the
		// locks that already serialise writers were ever dropped.
		updateHead: r(`UPDATE questions SET version = ?, state = ?, etag = ?, revision = ?, update_time = ?
			WHERE id = ? AND etag = ?`),

		templates:         r(`SELECT ` + templateColumns + ` FROM templates WHERE NOT deleted ORDER BY id`),
		template:          r(`SELECT ` + templateColumns + ` FROM templates WHERE NOT deleted AND id = ?`),
		templateForUpdate: r(`SELECT ` + templateColumns + ` FROM templates WHERE NOT deleted AND id = ?` + lockRow),
		templatesSince:    r(`SELECT ` + templateColumns + `, deleted FROM templates WHERE revision > ? ORDER BY id`),
		// A deleted template keeps its row, so its id can be created again
		// (the upsert revives it) but is never seeded again.
		createTemplate: r(`INSERT INTO templates (id, owner, body, etag, revision, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, body = excluded.body, etag = excluded.etag,
			  revision = excluded.revision, deleted = FALSE, create_time = excluded.create_time, update_time = excluded.update_time
			WHERE templates.deleted`),
		seedTemplate: r(`INSERT INTO templates (id, owner, body, etag, revision, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`),
		updateTemplate: r(`UPDATE templates SET owner = ?, body = ?, etag = ?, revision = ?, update_time = ?
			WHERE id = ? AND etag = ? AND NOT deleted`),
		deleteTemplate: r(`UPDATE templates SET deleted = TRUE, revision = ? WHERE id = ?`),

		secret:       r(`SELECT value FROM secrets WHERE name = ?`),
		createSecret: r(`INSERT INTO secrets (name, value, create_time) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`),
	}
	return q
}
