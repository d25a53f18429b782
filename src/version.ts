/** medprep's version, recorded in provenance and in written NIfTI descrip fields. */
export const VERSION = "0.1.0";

/** The tool's name as recorded in provenance. */
export const TOOL_NAME = "medprep";
