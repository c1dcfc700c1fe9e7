/**
 * The analysis core's public surface: what the language server, the CLI and the tests import.
 * Everything here is pure: text and settings in, plain data out.
 */

export { RULES } from './catalogue';
export { lintDocument, type LintCache } from './engine/runner';
export { fixDocument, nonOverlappingFixes, MAX_FIX_PASSES, type FixedDocument, type FixDocumentOptions } from './engine/fix-all';
export { detectFileRole } from './engine/roles';
export { buildProjectIndex, componentFileFacts, extractFileFacts, packageManifestFacts, pathAliasesFromTsconfig, projectFactsOf, pythonReferenceFileFacts, retiredByJobMetadata, DEFAULT_PATH_ALIASES, NO_PROJECT_FACTS, type FileFacts, type PackageManifestFacts, type PathAlias, type ProjectIndex } from './engine/project-facts';
export { isPythonReferenceFile } from './engine/python-references';
export { closestId, parseConfig, settingsFromConfig, isIgnoredByConfig, DEFAULT_CONFIG, CONFIG_FILE_NAME, type FaultlineConfig, type ConfigProblem } from './engine/config';
export { languageOfPath, languageOfLanguageId } from './engine/languages/classify';
export { initializePython, isPythonInitialized, pythonParsesCleanly, type PythonWasm } from './engine/languages/python';
export { countParsingStatements } from './engine/languages/sql/source';
export { computeLineStarts, lineOfOffset, applyEdits, editsApply } from './engine/text';
export { docsUrlFor, ruleTargets, SUPPRESSIONS_DOCS_URL, type Rule, type RuleMeta } from './engine/rule';
export { SUPPRESSION_FINDINGS } from './engine/suppressions';
export * from './engine/types';
