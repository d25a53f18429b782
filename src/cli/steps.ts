import { Command } from "commander";
import { didYouMean } from "../recipe/did_you_mean.ts";
import { findStep, STEPS } from "../steps/registry.ts";
import type { StepDefinition } from "../steps/step.ts";
import type { CommandFactory } from "./command.ts";
import { deriveParamHelp } from "./step_help.ts";
import type { AugmentTransform } from "../steps/augment/augment_transform.ts";
import {
  findTransform,
  renderTransformList,
  transformExample,
  TRANSFORMS_TITLE,
} from "./transform_help.ts";
import { TRANSFORMS } from "../steps/augment/augment.ts";

/** One line per registered step: name, kind and summary, aligned. */
export function renderStepList(): string {
  const w = Math.max(...STEPS.map((s) => s.name.length));
  const k = Math.max(...STEPS.map((s) => s.kind.length));
  return STEPS.map((s) => `  ${s.name.padEnd(w)}  ${s.kind.padEnd(k)}  ${s.summary}`).join("\n");
}

function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** Every param of a step (type, default, range, description) and its example. */
export function renderStepHelp(step: StepDefinition): string {
  return renderHelp(`${step.name} (${step.kind}): ${step.summary}`, step, step.example);
}

/** Every param of an augmentation transform and an example inside an `augment` step. */
export function renderTransformHelp(t: AugmentTransform): string {
  return renderHelp(
    `${t.name} (augment transform, ${t.kind}; inside "- step: augment" transforms): ${t.summary}`,
    t,
    transformExample(t),
  );
}

function renderHelp(title: string, step: Pick<StepDefinition, "params">, example: string): string {
  const out = [title, ""];
  for (const group of deriveParamHelp(step)) {
    out.push(group.title ? `Params with ${group.title}:` : "Params:");
    if (group.params.length === 0) out.push("  (none)");
    for (const p of group.params) {
      const facts = [p.type];
      if (p.required) facts.push("required");
      if (p.default !== undefined) facts.push(`default ${JSON.stringify(p.default)}`);
      if (p.range) facts.push(`range ${p.range}`);
      out.push(`  ${p.name}: ${facts.join("; ")}`);
      out.push(...wrap(p.description, 76, "      "));
    }
    out.push("");
  }
  out.push("Example:", ...example.split("\n").map((l) => `  ${l}`));
  return out.join("\n");
}

/** `steps [NAME]`: lists the registered steps, or prints one step's params and example. */
export const createStepsCommand: CommandFactory = (done) =>
  new Command("steps")
    .description("List the steps a recipe can use, or show one step's params and example")
    .argument("[name]", `step or augment transform name: ${STEPS.map((s) => s.name).join(", ")}`)
    .addHelpText(
      "after",
      `\nSteps:\n${renderStepList()}\n\n${TRANSFORMS_TITLE}\n${renderTransformList()}`,
    )
    .action((name?: string) => {
      if (name === undefined) {
        console.log(`${renderStepList()}\n\n${TRANSFORMS_TITLE}\n${renderTransformList()}`);
        done(0);
        return;
      }
      const step = findStep(name);
      const transform = findTransform(name);
      if (step && transform) {
        console.log(`${renderStepHelp(step)}\n\n${renderTransformHelp(transform)}`);
        done(0);
        return;
      }
      if (transform) {
        console.log(renderTransformHelp(transform));
        done(0);
        return;
      }
      if (!step) {
        const names = [...STEPS.map((s) => s.name), ...TRANSFORMS.map((t) => t.name)];
        console.error(
          `Cannot show step "${name}": no such step or augment transform${
            didYouMean(name, names) || `; steps: ${names.join(", ")}`
          }`,
        );
        done(2);
        return;
      }
      console.log(renderStepHelp(step));
      done(0);
    });
