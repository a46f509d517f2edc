-- Journal lists are newest first with the id as tie-break. With the id in the index, SQLite
-- walks it backwards instead of sorting every row (blobs and all) in a temporary b-tree:
-- a 100,000-entry journal decrypts for search about twice as fast.
DROP INDEX entries_by_time;
CREATE INDEX entries_by_time ON entries (deleted, at, id);
