"""Problems of a run's pool with their rationales, difficulty labels, lineage, export and rejections."""
