import { Command } from "commander";
import type { CommandFactory } from "./command.ts";

/** `validate` subcommand (not implemented yet). */
export const createValidateCommand: CommandFactory = (done) =>
  new Command("validate").description("(not implemented yet)").action(() => {
    console.error("validate is not implemented yet");
    done(1);
  });
