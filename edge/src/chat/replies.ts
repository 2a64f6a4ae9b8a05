import type { NextStep } from "../orders/progress.js";
import type { ChatLanguage } from "./language.js";
import type { ProductSummary, TicketSummary } from "./tools.js";

/** The rules mode's sentences, one set per language; composed by rules.ts. */
export type Phrasebook = {
  photoReceived: string;
  productNoted: (product: string) => string;
  paymentValidated: (amount: number) => string;
  paymentInsufficient: (received: number, required: number) => string;
  zoneNoted: (zone: string, fee: number) => string;
  phoneNoted: (phone: string) => string;
  orderCompleted: string;
  ask: (step: NextStep, deposit: number, afterPhoto: boolean) => string;
  humanRequested: string;
  frustration: string;
  greeting: string;
  supportGreeting: string;
  supportRequest: string;
  ticketCreated: (ticket: TicketSummary) => string;
  productsFound: (products: ProductSummary[]) => string;
  noProducts: string;
  toolUnavailable: string;
  thanks: string;
  notUnderstood: string;
};

function productList(products: ProductSummary[]): string {
  return products
    .map(
      (product) =>
        `${product.name}${product.price ? ` (${product.price} ${product.currency ?? ""})`.replace(" )", ")") : ""}`,
    )
    .join(", ");
}

const fr: Phrasebook = {
  photoReceived: "Photo reçue !",
  productNoted: (product) => `C'est noté : ${product}.`,
  paymentValidated: (amount) => `Paiement de ${amount} FCFA validé ✅.`,
  paymentInsufficient: (received, required) =>
    `Montant insuffisant : ${received} FCFA reçus, ${required} FCFA requis. Un conseiller va vérifier avec vous.`,
  zoneNoted: (zone, fee) => `Livraison à ${zone} : ${fee} FCFA.`,
  phoneNoted: (phone) => `Numéro ${phone} enregistré.`,
  orderCompleted: "Votre commande est confirmée ! Nous vous livrons très bientôt. Merci !",
  ask: (step, deposit, afterPhoto) => {
    if (step === "produit") return "Quel produit souhaitez-vous commander ? Vous pouvez envoyer une photo.";
    if (step === "paiement")
      return afterPhoto ? `Dépôt: ${deposit} FCFA` : `Pour valider, envoyez un dépôt de ${deposit} FCFA.`;
    if (step === "zone") return "Dans quelle zone faut-il vous livrer ?";
    if (step === "numero") return "Quel numéro pour vous joindre à la livraison ?";
    return "";
  },
  humanRequested: "Je transmets votre demande à un conseiller, il vous répond très vite.",
  frustration: "Je suis désolé pour la gêne occasionnée. Un conseiller va prendre le relais.",
  greeting: "Bonjour !",
  supportGreeting: "Bonjour ! Je suis l'assistant du service client. Comment puis-je vous aider ?",
  supportRequest:
    "Bonjour ! Je suis désolé d'apprendre que vous rencontrez un problème. Pouvez-vous le décrire, donner la référence du produit et joindre une photo ? Je pourrai ouvrir un ticket SAV.",
  ticketCreated: (ticket) => `J'ai ouvert le ticket ${ticket.code} (priorité ${ticket.priority}).`,
  productsFound: (products) => `Voici ce que j'ai trouvé : ${productList(products)}.`,
  noProducts: "Je n'ai trouvé aucun produit correspondant.",
  toolUnavailable: "Ce service n'est pas disponible pour le moment ; un conseiller peut vous aider.",
  thanks: "Avec plaisir !",
  notUnderstood: "Je n'ai pas bien compris. Pouvez-vous préciser votre demande ?",
};

const es: Phrasebook = {
  photoReceived: "¡Foto recibida!",
  productNoted: (product) => `Anotado: ${product}.`,
  paymentValidated: (amount) => `Pago de ${amount} FCFA validado ✅.`,
  paymentInsufficient: (received, required) =>
    `Importe insuficiente: ${received} FCFA recibidos, ${required} FCFA requeridos. Un asesor lo revisará con usted.`,
  zoneNoted: (zone, fee) => `Entrega en ${zone}: ${fee} FCFA.`,
  phoneNoted: (phone) => `Número ${phone} registrado.`,
  orderCompleted: "¡Su pedido está confirmado! Se lo entregamos muy pronto. ¡Gracias!",
  ask: (step, deposit, afterPhoto) => {
    if (step === "produit") return "¿Qué producto desea pedir? Puede enviar una foto.";
    if (step === "paiement")
      return afterPhoto ? `Depósito: ${deposit} FCFA` : `Para validar, envíe un depósito de ${deposit} FCFA.`;
    if (step === "zone") return "¿En qué zona le entregamos?";
    if (step === "numero") return "¿A qué número le llamamos para la entrega?";
    return "";
  },
  humanRequested: "Transmito su solicitud a un asesor, le responderá muy pronto.",
  frustration: "Lamento las molestias. Un asesor se hará cargo.",
  greeting: "¡Hola!",
  supportGreeting: "¡Hola! Soy el asistente del servicio al cliente. ¿En qué puedo ayudarle?",
  supportRequest:
    "¡Hola! Lamento que tenga un problema. ¿Puede describirlo, indicar la referencia del producto y adjuntar una foto? Podré abrir un ticket.",
  ticketCreated: (ticket) => `He abierto el ticket ${ticket.code} (prioridad ${ticket.priority}).`,
  productsFound: (products) => `Esto es lo que encontré: ${productList(products)}.`,
  noProducts: "No encontré ningún producto que corresponda.",
  toolUnavailable: "Este servicio no está disponible por ahora; un asesor puede ayudarle.",
  thanks: "¡Con gusto!",
  notUnderstood: "No le he entendido bien. ¿Puede precisar su solicitud?",
};

const en: Phrasebook = {
  photoReceived: "Photo received!",
  productNoted: (product) => `Noted: ${product}.`,
  paymentValidated: (amount) => `Payment of ${amount} FCFA validated ✅.`,
  paymentInsufficient: (received, required) =>
    `Insufficient amount: ${received} FCFA received, ${required} FCFA required. An agent will check with you.`,
  zoneNoted: (zone, fee) => `Delivery to ${zone}: ${fee} FCFA.`,
  phoneNoted: (phone) => `Number ${phone} saved.`,
  orderCompleted: "Your order is confirmed! We will deliver it very soon. Thank you!",
  ask: (step, deposit, afterPhoto) => {
    if (step === "produit") return "Which product would you like to order? You can send a photo.";
    if (step === "paiement")
      return afterPhoto ? `Deposit: ${deposit} FCFA` : `To confirm, please send a deposit of ${deposit} FCFA.`;
    if (step === "zone") return "Which area should we deliver to?";
    if (step === "numero") return "Which phone number can we reach you on for delivery?";
    return "";
  },
  humanRequested: "I'm passing your request to an agent, who will answer you shortly.",
  frustration: "I'm sorry for the trouble. An agent will take over.",
  greeting: "Hello!",
  supportGreeting: "Hello! I'm the customer service assistant. How can I help you?",
  supportRequest:
    "Hello! I'm sorry to hear you have a problem. Could you describe it, give the product reference and attach a photo? I can then open a support ticket.",
  ticketCreated: (ticket) => `I have opened ticket ${ticket.code} (priority ${ticket.priority}).`,
  productsFound: (products) => `Here is what I found: ${productList(products)}.`,
  noProducts: "I found no matching product.",
  toolUnavailable: "This service is not available right now; an agent can help you.",
  thanks: "You're welcome!",
  notUnderstood: "I didn't quite understand. Could you tell me more?",
};

export const PHRASEBOOKS: Record<ChatLanguage, Phrasebook> = { fr, es, en };
