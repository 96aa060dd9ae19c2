"""Fine-tune a story model from the shell (a thin wrapper around ``fairytales.pipeline.story.training``).

    python manage.py train_story ../shared/data/tales.jsonl --name my-tales --steps 500 [--lora] [--sample 3]

The result lands in models/story/<name>, where the submit form finds it.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fairytales.pipeline.backend import first_line


class Command(BaseCommand):
    help = (
        "Fine-tune a causal language model on tales (JSONL/JSON/CSV with title, text, genre, likes; or a folder "
        "of .txt files, a title line first) into models/story/<name>"
    )

    def add_arguments(self, parser):
        parser.add_argument("data", help="a .jsonl/.json/.csv/.tsv of tales, or a folder of .txt files")
        parser.add_argument("--name", help="the model's name: models/story/NAME (default: the data's name)")
        parser.add_argument("-o", "--output", type=Path, help="the model folder (default: models/story/NAME)")
        parser.add_argument("--base", default=None,
                            help="the model to start from, a hub id or a folder "
                                 "(default: ai-forever/rugpt3small_based_on_gpt2)")
        parser.add_argument("--min-likes", type=int, help="only tales with at least this many likes")
        parser.add_argument("--genre", help="the genre of tales that name none (default: сказка)")
        parser.add_argument("--heldout", type=float, default=0.1, help="the share of tales held out (0.1)")
        parser.add_argument("--max-eval-windows", type=int, default=200,
                            help="held-out windows evaluated (200; 0: all)")
        parser.add_argument("--max-length", type=int, default=512, help="tokens a training window (512)")
        parser.add_argument("--steps", type=int, default=1000, help="optimizer steps (1000)")
        parser.add_argument("--epochs", type=float, help="train this many epochs instead of --steps")
        parser.add_argument("--batch", type=int, default=4, help="windows a step per device (4)")
        parser.add_argument("--grad-accum", type=int, default=4, help="batches a step (4)")
        parser.add_argument("--lr", type=float, help="learning rate (5e-5; 2e-4 with --lora)")
        parser.add_argument("--warmup", type=int, help="warm-up steps (a tenth of the steps, at most 100)")
        parser.add_argument("--eval-every", type=int, default=100, help="steps between evaluations (100)")
        parser.add_argument("--save-every", type=int, default=100, help="steps between checkpoints (100)")
        parser.add_argument("--log-every", type=int, default=10)
        parser.add_argument("--lora", action="store_true", help="train a LoRA adapter instead of every weight")
        parser.add_argument("--lora-r", type=int, default=16)
        parser.add_argument("--lora-alpha", type=int, default=32)
        parser.add_argument("--lora-dropout", type=float, default=0.05)
        parser.add_argument("--lora-targets", help="module names, comma-separated (default: peft's for the model)")
        parser.add_argument("--precision", choices=("auto", "fp32", "fp16", "bf16"), default="auto",
                            help="auto: bf16 (or fp16) on a GPU, fp32 on a CPU")
        parser.add_argument("--device", help="cuda or cpu (default: cuda when there is one)")
        parser.add_argument("--checkpoints", type=Path, help="the checkpoint folder (default: var/train/story/NAME)")
        parser.add_argument("--resume", action="store_true", help="go on from the last checkpoint there")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--sample", type=int, nargs="?", const=3, default=0,
                            help="after training, write stories for this many held-out titles (3)")
        parser.add_argument("--sample-length", type=int, default=600, help="characters a sample story (600)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar, only the log lines")

    def handle(self, *args, **o):
        from fairytales.pipeline.story import training  # noqa: PLC0415 - needs torch and transformers

        name = o["name"] or (o["output"].name if o["output"] else Path(o["data"]).stem)
        output = o["output"] or training.STORY_MODELS_DIR / name
        config = training.TrainingConfig(
            data=o["data"], output=output, base_model=o["base"] or training.DEFAULT_BASE,
            min_likes=o["min_likes"], genre=o["genre"], heldout=o["heldout"],
            max_eval_windows=o["max_eval_windows"] or None, max_length=o["max_length"], steps=o["steps"],
            epochs=o["epochs"], batch_size=o["batch"], grad_accum=o["grad_accum"], learning_rate=o["lr"],
            warmup_steps=o["warmup"], eval_every=o["eval_every"], save_every=o["save_every"],
            log_every=o["log_every"], lora=o["lora"], lora_r=o["lora_r"], lora_alpha=o["lora_alpha"],
            lora_dropout=o["lora_dropout"],
            lora_targets=[t.strip() for t in o["lora_targets"].split(",") if t.strip()] if o["lora_targets"] else None,
            precision=o["precision"], device=o["device"], checkpoints=o["checkpoints"], resume=o["resume"],
            seed=o["seed"], sample=o["sample"], sample_length=o["sample_length"], progress_bar=not o["no_progress"],
        )
        try:
            card = training.train_story(config, log=self.stdout.write)
        except (FileNotFoundError, ValueError, ImportError, OSError) as exc:
            raise CommandError(first_line(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"{output}: held-out loss {card['heldout_loss_before']:.3f} -> {card['heldout_loss_after']:.3f} "
            f"after {card['steps']} steps"))
