from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticStorage(CompressedManifestStaticFilesStorage):
    # static/js holds ES modules (guided.js imports ./dose.js). Rewriting those imports to the
    # hashed names means a browser that caches guided.js forever never runs it against the
    # dose.js of another release.
    support_js_module_import_aggregation = True
